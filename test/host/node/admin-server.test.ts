// The admin server in process: hotgo's HTTP and RPC APIs on one server, uploads over both, the
// JSON-RPC 2.0 and Go 1.0 shapes, protocol errors, the debug page, and the audit records.

import { afterEach, beforeAll, expect, test } from "vitest";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AdminRecord } from "../../../host/admin-hooks.js";
import { createAdminClient } from "../../../host/admin-client.js";
import { consoleImports } from "../../../host/console-imports.js";
import { startAdminServer, type AdminServer } from "../../../host/node/admin-server.js";
import { instantiateServedHost } from "../../../host/node/serve-host.js";
import { exampleBinaries } from "../../helpers/example-app.js";

const TOKEN = "test-token-0123456789abcdef";
let appPath = "";
let patch: Uint8Array;
let dir = "";
let server: AdminServer | null = null;

beforeAll(async () => {
  const bins = await exampleBinaries();
  ({ appPath, patch } = bins);
  dir = await mkdtemp(join(tmpdir(), "hotwasm-admin-"));
  await copyFile(bins.patchPath, join(dir, "hp.wasm"));
  return () => rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await server?.close();
  server = null;
});

async function start(options: { token?: string } = { token: TOKEN }) {
  const lines: string[] = [];
  const records: AdminRecord[] = [];
  const { host } = await instantiateServedHost({ app: appPath, patchDir: dir, imports: (get) => consoleImports(get, (l) => lines.push(l)) });
  server = await startAdminServer(host, { port: 0, rpc: true, ...options, onResult: (r) => records.push(r) });
  const rpc = async (body: unknown, token = TOKEN) => {
    const res = await fetch(`${server!.url}/hp`, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as Record<string, any>) };
  };
  return { host, lines, records, url: server.url, rpc };
}

test("load, info and unload over HTTP and JSON-RPC, by path and by upload, with hotgo's shapes", async () => {
  const { host, lines, records, url } = await start();
  const http = createAdminClient({ url, token: TOKEN });
  const rpc = createAdminClient({ url, token: TOKEN, rpc: true });
  const config = { replace_config: { NewFunc1: "main.func1" }, ref_config: { Global: "main.globalValue", Func2Ref: "main.func2" } };
  for (const [client, request] of [
    [http, { hp_file: "hp.wasm", ...config }], [http, { hp_bytes: patch }], [rpc, { hp_file: "hp.wasm" }], [rpc, { hp_bytes: patch, ...config }],
  ] as const) {
    lines.length = 0;
    const id = await client.load(request);
    const value = host.exports.getGlobalValue() as number;
    host.exports.func1();
    expect(lines).toEqual(["HPBeforeLoad called", "HPAfterLoad called", `New Func: ${value}`, `func2: ${value + 15}`]);
    const info = await client.info();
    expect(info).toEqual([expect.objectContaining({ hp_id: id, config: { hp_file: "hp_file" in request ? "hp.wasm" : "", ...config }, size: patch.length })]);
    expect(await client.unload(id)).toEqual({ warnings: [] });
    expect(await client.info()).toEqual([]);
    lines.length = 0;
    host.exports.func1();
    expect(lines).toEqual([`func1: ${value + 15}`]);
  }
  expect(records.map((r) => `${r.surface} ${r.action} ${r.status} ${r.hp_file ?? "-"} ${r.upload_bytes ?? "-"}`)).toEqual([
    "http load 200 hp.wasm -", "http info 200 - -", "http unload 200 - -", "http info 200 - -",
    `http load 200 - ${patch.length}`, "http info 200 - -", "http unload 200 - -", "http info 200 - -",
    "rpc load 200 hp.wasm -", "rpc info 200 - -", "rpc unload 200 - -", "rpc info 200 - -",
    `rpc load 200 - ${patch.length}`, "rpc info 200 - -", "rpc unload 200 - -", "rpc info 200 - -",
  ]);
});

test("JSON-RPC: Go's 1.0 shape, 2.0 errors with the spec's numbers and the hotwasm code, notifications", async () => {
  const { rpc, host } = await start();
  const go = await rpc({ method: "HPRpcService.LoadHP", params: [{ hp_file: "hp.wasm" }], id: 7 });
  expect(go).toEqual({ status: 200, body: { id: 7, result: { hp_id: expect.stringMatching(/^[0-9a-f]{64}$/), error: "" }, error: null } });
  const again = await rpc({ method: "HPRpcService.LoadHP", params: [{ hp_file: "hp.wasm" }], id: 8 });
  expect(again).toEqual({ status: 409, body: { id: 8, result: null, error: expect.stringMatching(/^E_ALREADY_LOADED: /) } });
  expect((await rpc({ jsonrpc: "2.0", method: "HPRpcService.Info", id: "a" })).body).toEqual({ jsonrpc: "2.0", id: "a", result: { info: host.getHPInfo() } });

  const cases: [unknown, number, number, string][] = [
    ["{not json", 400, -32700, "E_BAD_REQUEST"],
    [[{ jsonrpc: "2.0", method: "HPRpcService.Info", id: 1 }], 400, -32600, "E_BAD_REQUEST"],
    [{ jsonrpc: "1.5", method: "HPRpcService.Info", id: 1 }, 400, -32600, "E_BAD_REQUEST"],
    [{ jsonrpc: "2.0", method: "HPRpcService.Nope", id: 1 }, 404, -32601, "E_NOT_FOUND"],
    [{ jsonrpc: "2.0", method: "HPRpcService.UnloadHP", params: { id: "x" }, id: 1 }, 400, -32602, "E_BAD_REQUEST"],
    [{ jsonrpc: "2.0", method: "HPRpcService.LoadHP", params: { hp_file: "hp.wasm", extra: 1 }, id: 1 }, 400, -32602, "E_INVALID_CONFIG"],
    [{ jsonrpc: "2.0", method: "HPRpcService.LoadHP", params: { hp_bytes: "!!" }, id: 1 }, 400, -32602, "E_BAD_REQUEST"],
    [{ jsonrpc: "2.0", method: "HPRpcService.UnloadHP", params: { hp_id: "nope" }, id: 1 }, 404, -32000, "E_UNKNOWN_PATCH"],
  ];
  for (const [body, status, number, code] of cases) {
    const got = await rpc(body);
    expect([body, got.status, got.body?.error?.code, got.body?.error?.data?.code]).toEqual([body, status, number, code]);
    expect(got.body?.error?.message).toMatch(new RegExp(`^${code}: `));
  }
  const [id] = host.getHPInfo().map((p) => p.hp_id);
  expect(await rpc({ jsonrpc: "2.0", method: "HPRpcService.UnloadHP", params: { hp_id: id } })).toEqual({ status: 204, body: null });
  expect(host.getHPInfo()).toEqual([]);
});

test("/hpdebug lists the methods with call counts and the recent host events", async () => {
  const { rpc, url } = await start();
  const { body } = await rpc({ jsonrpc: "2.0", method: "HPRpcService.LoadHP", params: { hp_file: "hp.wasm" }, id: 1 });
  await rpc({ jsonrpc: "2.0", method: "HPRpcService.UnloadHP", params: { hp_id: body!.result.hp_id }, id: 2 });
  await rpc({ jsonrpc: "2.0", method: "HPRpcService.UnloadHP", params: { hp_id: body!.result.hp_id }, id: 3 });
  const page = await (await fetch(`${url}/hpdebug`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
  expect(page.services).toEqual([{ name: "HPRpcService", methods: [{ name: "LoadHP", calls: 1 }, { name: "UnloadHP", calls: 2 }, { name: "Info", calls: 0 }] }]);
  expect(page.events.map((e: { type: string }) => e.type)).toEqual([
    "load-begin", "hook", "commit", "hook", "loaded", "unload-begin", "hook", "revert", "hook", "unloaded", "released", "refused",
  ]);
  const since = await (await fetch(`${url}/hpdebug?since=11`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
  expect(since.events).toEqual([expect.objectContaining({ seq: 12, type: "refused", code: "E_UNKNOWN_PATCH" })]);
  expect((await fetch(`${url}/hpdebug`)).status).toBe(401);
});

test("a non-loopback address without a token is refused before listening", async () => {
  const { host } = await instantiateServedHost({ app: appPath, patchDir: dir, imports: (get) => consoleImports(get, () => {}) });
  const refused = await startAdminServer(host, { hostname: "0.0.0.0", port: 0 }).then(() => "listening", (e: { code: string }) => e.code);
  expect(refused).toBe("E_ADMIN_CONFIG");
});
