// The admin plane over TLS: `serve --tls-cert --tls-key` answers HTTPS only, the CLI reaches it
// when the certificate is trusted (NODE_EXTRA_CA_CERTS) and refuses it otherwise, broken or
// half-given TLS options are refused, and a token beyond loopback without TLS is warned about.

import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import selfsigned from "selfsigned";
import { hotwasm, startServe, stopAll } from "../helpers/cli-process.js";
import { makeAdminWorkspace } from "../helpers/admin-workspace.js";

let dir = "";
beforeAll(async () => {
  dir = await makeAdminWorkspace();
  const pems = await selfsigned.generate([{ name: "commonName", value: "127.0.0.1" }], {
    notAfterDate: new Date(Date.now() + 24 * 3600 * 1000), keyType: "ec",
    extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }],
  });
  await writeFile(join(dir, "cert.pem"), pems.cert);
  await writeFile(join(dir, "key.pem"), pems.private);
  await writeFile(join(dir, "broken.pem"), "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n");
});
afterEach(stopAll);
afterAll(() => rm(dir, { recursive: true, force: true }));

const tlsArgs = ["app.wasm", "--port", "0", "--rpc", "--token-file", "token", "--tls-cert", "cert.pem", "--tls-key", "key.pem"];

test("over HTTPS with a trusted certificate: load, info, unload; nothing in clear", async () => {
  const serve = await startServe(dir, tlsArgs);
  expect(serve.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const trusted = { NODE_EXTRA_CA_CERTS: join(dir, "cert.pem") };
  const client = ["--server", serve.url, "--token-file", "token"];
  const load = await hotwasm(dir, ["load", "patches/hp.wasm", "--upload", "--replace", "NewFunc1=main.func1", "--ref", "Global=main.globalValue", "--ref", "Func2Ref=main.func2", ...client], trusted);
  expect([load.code, load.stderr]).toEqual([0, ""]);
  const hpId = load.stdout.trim();
  const info = await hotwasm(dir, ["info", "--json", "--rpc", ...client], trusted);
  expect(JSON.parse(info.stdout).map((p: { hp_id: string }) => p.hp_id)).toEqual([hpId]);
  expect((await hotwasm(dir, ["unload", hpId, ...client], trusted)).code).toBe(0);
  // Plain HTTP to the same port gets no API.
  const clear = await fetch(serve.url.replace("https:", "http:") + "/hp/v1/info").then((r) => r.status, () => "refused");
  expect(clear === "refused" || clear === 400).toBe(true);
});

test("a client that does not trust the certificate is refused with E_ADMIN_UNREACHABLE", async () => {
  const serve = await startServe(dir, tlsArgs);
  const r = await hotwasm(dir, ["info", "--server", serve.url, "--token-file", "token"]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^error E_ADMIN_UNREACHABLE: cannot reach https:\/\/127\.0\.0\.1:\d+: .*certificate/);
});

test("half-given, unreadable or broken TLS options are refused; no TLS beyond loopback is warned about", async () => {
  const cases: [string[], number, RegExp][] = [
    [["app.wasm", "--port", "0", "--tls-cert", "cert.pem"], 2, /^error: --tls-cert and --tls-key go together/],
    [["app.wasm", "--port", "0", "--tls-cert", "nope.pem", "--tls-key", "key.pem"], 1, /^error E_READ_FAILED: cannot read the --tls-cert file nope\.pem/],
    [["app.wasm", "--port", "0", "--tls-cert", "broken.pem", "--tls-key", "key.pem"], 1, /^error E_ADMIN_CONFIG: cannot use the TLS certificate and key/],
  ];
  for (const [args, code, message] of cases) {
    const r = await hotwasm(dir, ["serve", ...args]);
    expect([args, r.code]).toEqual([args, code]);
    expect(r.stderr).toMatch(message);
  }
  const open = await startServe(dir, ["app.wasm", "--port", "0", "--host", "0.0.0.0", "--token-file", "token"]);
  const warned = () => open.stderr.some((l) => /^hotwasm serve: warning: the token travels in clear beyond loopback/.test(l));
  for (let i = 0; i < 400 && !warned(); i++) await new Promise((r) => setTimeout(r, 25)); // stderr is a pipe of its own
  expect(warned()).toBe(true);
  const closed = await startServe(dir, [...tlsArgs, "--host", "0.0.0.0"]);
  expect(closed.stderr.some((l) => l.includes("travels in clear"))).toBe(false);
});
