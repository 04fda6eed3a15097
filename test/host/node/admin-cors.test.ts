// CORS on the admin server: an origin named in allowedOrigins gets Access-Control-Allow-Origin on
// every answer (refusals too) and its preflight answered with the methods and headers a page needs;
// any other origin gets no CORS header at all, and its requests, preflights included, are refused.

import { afterEach, beforeAll, expect, test } from "vitest";
import { consoleImports } from "../../../host/core/console-imports.js";
import { startAdminServer, type AdminServer } from "../../../host/node/admin-server.js";
import { instantiateServedHost } from "../../../host/node/serve-host.js";
import { exampleBinaries } from "../../helpers/example-app.js";

const TOKEN = "cors-test-token-0123456789";
const PAGE = "http://127.0.0.1:5173";
let appPath = "";
let server: AdminServer | null = null;

beforeAll(async () => {
  ({ appPath } = await exampleBinaries());
});
afterEach(async () => {
  await server?.close();
  server = null;
});

async function start(): Promise<string> {
  const { host } = await instantiateServedHost({ app: appPath, imports: (get) => consoleImports(get, () => {}) });
  server = await startAdminServer(host, { port: 0, rpc: true, token: TOKEN, allowedOrigins: [PAGE] });
  return server.url;
}

function cors(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  res.headers.forEach((value, key) => { if (key.startsWith("access-control-") || key === "vary") out[key] = value; });
  return out;
}

test("an allowed origin: its preflight is answered, its requests and refusals carry the CORS headers", async () => {
  const url = await start();
  for (const path of ["/hp/v1/load", "/hp/v1/info", "/hp", "/hpdebug"]) {
    const pre = await fetch(`${url}${path}`, { method: "OPTIONS", headers: { origin: PAGE, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } });
    expect([path, pre.status, cors(pre)]).toEqual([path, 204, {
      "access-control-allow-origin": PAGE, "access-control-allow-methods": "GET, HEAD, POST",
      "access-control-allow-headers": "authorization, content-type", "access-control-max-age": "600", vary: "Origin",
    }]);
  }
  const info = await fetch(`${url}/hp/v1/info`, { headers: { origin: PAGE, authorization: `Bearer ${TOKEN}` } });
  expect([info.status, cors(info), await info.json()]).toEqual([200, { "access-control-allow-origin": PAGE, vary: "Origin" }, []]);
  const refused = await fetch(`${url}/hp/v1/info`, { headers: { origin: PAGE } });
  expect([refused.status, cors(refused), (await refused.json()).code]).toEqual([401, { "access-control-allow-origin": PAGE, vary: "Origin" }, "E_AUTH_REQUIRED"]);
});

test("any other origin: no CORS header, preflight and request refused; no origin at all: no CORS header", async () => {
  const url = await start();
  for (const origin of ["http://evil.example", "http://127.0.0.1:5174", "null"]) {
    const pre = await fetch(`${url}/hp/v1/load`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } });
    expect([origin, pre.status, cors(pre), (await pre.json()).code]).toEqual([origin, 403, {}, "E_FORBIDDEN_ORIGIN"]);
    const req = await fetch(`${url}/hp/v1/info`, { headers: { origin, authorization: `Bearer ${TOKEN}` } });
    expect([origin, req.status, cors(req)]).toEqual([origin, 403, {}]);
  }
  const plain = await fetch(`${url}/hp/v1/info`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect([plain.status, cors(plain)]).toEqual([200, {}]);
  const options = await fetch(`${url}/hp/v1/info`, { method: "OPTIONS", headers: { authorization: `Bearer ${TOKEN}` } });
  expect([options.status, cors(options)]).toEqual([405, {}]);
});
