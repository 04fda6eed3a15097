// Refusals of the admin plane, end to end: the real CLI against the real `hotwasm serve` (token,
// trusted keys, patch directory, size bound), over HTTP and JSON-RPC. Each refusal has its status
// and code, lands in the audit log, and leaves the running program exactly as it was.

import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { hotwasm, startServe, stopAll, type ServeProcess } from "../helpers/cli-process.js";
import { makeAdminWorkspace, securedServeArgs, TOKEN } from "../helpers/admin-workspace.js";

let dir = "";
beforeAll(async () => {
  dir = await makeAdminWorkspace();
});
afterEach(stopAll);
afterAll(() => rm(dir, { recursive: true, force: true }));

const secured = securedServeArgs("refusals.log");

/** The program still runs its original code with its original state, and nothing is loaded. */
async function expectUnchanged(serve: ServeProcess, mark: number): Promise<void> {
  const next = serve.lines.length;
  await serve.waitFor((l) => l.startsWith("func1: "), next);
  expect(serve.lines.slice(mark)).toEqual(serve.lines.slice(mark).map(() => "func1: 100"));
  const info = await fetch(`${serve.url}/hp/v1/info`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(await info.json()).toEqual([]);
}

test("each refusal through the CLI: exit 1, its code and HTTP status, the program unchanged", async () => {
  const serve = await startServe(dir, secured);
  const url = ["--url", serve.url];
  const auth = [...url, "--token-file", "token"];
  const cases: [string, string[], string, number][] = [
    ["no token", ["load", "signed.wasm", ...url], "E_AUTH_REQUIRED", 401],
    ["wrong token", ["load", "signed.wasm", ...url, "--token-file", "wrong-token"], "E_AUTH_FAILED", 401],
    ["info without a token", ["info", ...url], "E_AUTH_REQUIRED", 401],
    ["unload with a wrong token", ["unload", "0".repeat(64), ...url, "--token-file", "wrong-token"], "E_AUTH_FAILED", 401],
    ["path escape with ..", ["load", "../outside/hp.wasm", ...auth], "E_PATH_OUTSIDE", 403],
    ["absolute path outside", ["load", join(dir, "outside/hp.wasm"), ...auth], "E_PATH_OUTSIDE", 403],
    ["symlink out of the patch dir", ["load", "escape.wasm", ...auth], "E_PATH_OUTSIDE", 403],
    ["file too large", ["load", "big.wasm", ...auth], "E_PATCH_TOO_LARGE", 413],
    ["upload too large", ["load", "patches/big.wasm", "--upload", ...auth], "E_PATCH_TOO_LARGE", 413],
    ["unsigned", ["load", "hp.wasm", ...auth], "E_PATCH_UNSIGNED", 403],
    ["unsigned upload", ["load", "patches/hp.wasm", "--upload", ...auth], "E_PATCH_UNSIGNED", 403],
    ["signed by an untrusted key", ["load", "mallory.wasm", ...auth], "E_BAD_PATCH_SIGNATURE", 403],
    ["tampered after signing", ["load", "tampered.wasm", ...auth], "E_BAD_PATCH_SIGNATURE", 403],
    ["unknown patch", ["unload", "0".repeat(64), ...auth], "E_UNKNOWN_PATCH", 404],
  ];
  for (const [name, args, code, status] of cases) {
    for (const transport of [[], ["--rpc"]]) {
      const mark = serve.lines.length;
      const r = await hotwasm(dir, [...args, ...transport]);
      expect([name, transport, r.code, r.stdout]).toEqual([name, transport, 1, ""]);
      expect([name, transport, r.stderr]).toEqual([name, transport, expect.stringMatching(new RegExp(`^error ${code}: .+ \\(HTTP ${status}\\)\\n$`))]);
      await expectUnchanged(serve, mark);
    }
  }
  expect(await serve.stop()).toBe(0);
  const audit = (await readFile(join(dir, "refusals.log"), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
  const refusals = audit.filter((a) => !a.ok).map((a) => `${a.surface} ${a.code} ${a.status}`);
  expect(refusals).toEqual(cases.flatMap(([, , code, status]) => [`http ${code} ${status}`, `rpc ${code} ${status}`]));
  expect(JSON.stringify(audit)).not.toContain(TOKEN);
});

test("malformed, oversized and cross-origin requests: their status and code on both APIs, the program unchanged", async () => {
  const serve = await startServe(dir, secured);
  const send = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${serve.url}${path}`, { method: "POST", body, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers } });
    const json = (await res.json()) as { code?: string; error: string | { code: number; data: { code: string } } };
    return [res.status, typeof json.error === "string" ? json.code : `${json.error.code} ${json.error.data.code}`];
  };
  const big = JSON.stringify({ hp_file: "x".repeat(2 * 1024 * 1024) });
  const cases: [string, string, Record<string, string>, (string | number | undefined)[]][] = [
    ["/hp/v1/load", "{not json", {}, [400, "E_BAD_REQUEST"]],
    ["/hp/v1/load", "[1, 2]", {}, [400, "E_BAD_REQUEST"]],
    ["/hp/v1/unload", '{"hp_id": 5}', {}, [400, "E_BAD_REQUEST"]],
    ["/hp/v1/load", '{"hp_file": "signed.wasm", "replace_config": {"NewFunc1": 7}}', {}, [400, "E_INVALID_CONFIG"]],
    ["/hp/v1/load", big, {}, [413, "E_BODY_TOO_LARGE"]],
    ["/hp/v1/load", '{"hp_file": "signed.wasm"}', { origin: "http://evil.example" }, [403, "E_FORBIDDEN_ORIGIN"]],
    ["/hp", "{not json", {}, [400, "-32700 E_BAD_REQUEST"]],
    ["/hp", '{"jsonrpc": "2.0", "method": 5, "id": 1}', {}, [400, "-32600 E_BAD_REQUEST"]],
    ["/hp", '{"jsonrpc": "2.0", "method": "HPRpcService.LoadHP", "params": {"hp_file": 3}, "id": 1}', {}, [400, "-32602 E_INVALID_CONFIG"]],
    ["/hp", '{"jsonrpc": "2.0", "method": "HPRpcService.LoadHP", "params": {"hp_file": "signed.wasm"}, "id": 1}', { origin: "http://evil.example" }, [403, "-32000 E_FORBIDDEN_ORIGIN"]],
  ];
  for (const [path, body, headers, expected] of cases) {
    const mark = serve.lines.length;
    expect([path, body.slice(0, 80), await send(path, body, headers)]).toEqual([path, body.slice(0, 80), expected]);
    await expectUnchanged(serve, mark);
  }
});
