// `npm start`'s example service has hotwasm serve's gate (issue 14, attack 8): a DNS-rebinding
// request (another Host, a page's Origin, a form's text/plain body) and a patch from outside the
// project are refused with their codes and change nothing; beyond loopback it needs a token.

import { afterEach, expect, test } from "vitest";
import { request } from "node:http";
import { mkdtemp, copyFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startService, type Service } from "../../example/service.js";
import type { HotwasmError } from "../../host/errors.js";
import { exampleBinaries, root } from "../helpers/example-app.js";

let service: Service | null = null;
afterEach(async () => {
  await service?.close();
  service = null;
});

/** A raw request (Host and Origin as given, which fetch would not send). */
function send(url: string, path: string, body: string, headers: Record<string, string>): Promise<{ status: number; code: string | undefined }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "POST", headers: { "content-length": Buffer.byteLength(body), ...headers } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => { text += c.toString(); });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(text) as { code?: string }).code }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

test("the DNS-rebinding request and a patch from outside the project are refused; the program runs on unpatched", async () => {
  await exampleBinaries();
  const outside = await mkdtemp(join(tmpdir(), "hotwasm-outside-"));
  await copyFile(join(root, "build/hp.wasm"), join(outside, "hp.wasm"));
  const lines: string[] = [];
  try {
    service = await startService({ app: join(root, "build/app.wasm"), patchDir: root, port: 0, intervalMs: 20, out: (l) => lines.push(l) });
    const host = `127.0.0.1:${new URL(service.url).port}`;
    const load = (hp_file: string) => JSON.stringify({ hp_file, replace_config: { NewFunc1: "main.func1" } });
    const cases: [string, string, Record<string, string>, number, string][] = [
      ["the attack: another Host, a page's Origin, text/plain", load(join(outside, "hp.wasm")), { host: "attacker.example", origin: "http://attacker.example", "content-type": "text/plain" }, 403, "E_FORBIDDEN_ORIGIN"],
      ["another Host alone", load("build/hp.wasm"), { host: "attacker.example:80", "content-type": "application/json" }, 403, "E_FORBIDDEN_ORIGIN"],
      ["a page's Origin alone", load("build/hp.wasm"), { host, origin: "http://attacker.example", "content-type": "application/json" }, 403, "E_FORBIDDEN_ORIGIN"],
      ["a form's text/plain body alone", load("build/hp.wasm"), { host, "content-type": "text/plain;charset=UTF-8" }, 415, "E_UNSUPPORTED_MEDIA_TYPE"],
      ["an absolute path outside the project", load(join(outside, "hp.wasm")), { host, "content-type": "application/json" }, 403, "E_PATH_OUTSIDE"],
      ["a path out of it", load("../../hp.wasm"), { host, "content-type": "application/json" }, 403, "E_PATH_OUTSIDE"],
    ];
    for (const [name, body, headers, status, code] of cases) {
      expect([name, await send(service.url, "/hp/v1/load", body, headers)]).toEqual([name, { status, code }]);
    }
    expect(service.host.getHPInfo()).toEqual([]);
    const mark = lines.length;
    for (let i = 0; i < 400 && lines.length === mark; i++) await new Promise((r) => setTimeout(r, 25));
    expect(lines.slice(mark).every((l) => /^func1: \d+$/.test(l))).toBe(true);
    // The service's own curl flow still works.
    expect(await send(service.url, "/hp/v1/load", load("./build/hp.wasm").replace("}}", '}, "ref_config": {"Global": "main.globalValue", "Func2Ref": "main.func2"}}'), { host, "content-type": "application/x-www-form-urlencoded" })).toEqual({ status: 200, code: undefined });
  } finally {
    await rm(outside, { recursive: true, force: true });
  }
});

test("beyond loopback the service needs a token (E_ADMIN_CONFIG without one), and then every request must carry it", async () => {
  await exampleBinaries();
  const refused = await startService({ app: join(root, "build/app.wasm"), patchDir: root, port: 0, hostname: "0.0.0.0", out: () => {} }).then(() => "started", (e: HotwasmError) => e.code);
  expect(refused).toBe("E_ADMIN_CONFIG");
  const token = "example-token-0123456789abcdef";
  service = await startService({ app: join(root, "build/app.wasm"), patchDir: root, port: 0, hostname: "0.0.0.0", token, out: () => {} });
  const host = `127.0.0.1:${new URL(service.url).port}`;
  const body = JSON.stringify({ hp_id: "0".repeat(64) });
  expect(await send(service.url, "/hp/v1/unload", body, { host, "content-type": "application/json" })).toEqual({ status: 401, code: "E_AUTH_REQUIRED" });
  expect(await send(service.url, "/hp/v1/unload", body, { host, "content-type": "application/json", authorization: "Bearer wrong-token-0123456789" })).toEqual({ status: 401, code: "E_AUTH_FAILED" });
  expect(await send(service.url, "/hp/v1/unload", body, { host, "content-type": "application/json", authorization: `Bearer ${token}` })).toEqual({ status: 404, code: "E_UNKNOWN_PATCH" });
});
