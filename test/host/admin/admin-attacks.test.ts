// The admin plane's JSON attacks, on the real listener and gate (createAdminListener): RPC methods
// named like Object.prototype's, "__proto__" in a config, batches that would amplify into the
// heap, deeply nested and huge ids, and the small leaks (issue 14, attacks 2, 5, 6 and 12). Each
// refusal has its code; the server answers on; nothing is loaded; the program runs as before.

import { afterAll, beforeAll, expect, test } from "vitest";
import { createServer, type Server } from "node:http";
import { createAdminListener } from "../../../host/node/admin-server.js";
import { HPRpcServer } from "../../../host/admin/rpc-server.js";
import { MAX_BATCH_CALLS } from "../../../host/admin/rpc-call.js";
import { makeHost } from "../../helpers/base.js";
import { wat } from "../../helpers/wat.js";

let ctx: Awaited<ReturnType<typeof makeHost>>;
let server: Server;
let url = "";
let budgetUrl = "";
const BUDGET = 256 * 1024;

async function listen(listener: Parameters<typeof createServer>[1]): Promise<[Server, string]> {
  const s = createServer(listener);
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const address = s.address();
  return [s, `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`];
}

let budgetServer: Server;
beforeAll(async () => {
  ctx = await makeHost();
  [server, url] = await listen(createAdminListener(ctx.host, { rpc: true, maxUploadBytes: 4 * 1024 * 1024 }));
  [budgetServer, budgetUrl] = await listen(HPRpcServer(ctx.host, { maxBodyBytes: 8 * 1024 * 1024, maxAnswerBytes: BUDGET }));
});
afterAll(async () => {
  for (const s of [server, budgetServer]) await new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); });
});

const json = { "content-type": "application/json" };
async function post(path: string, body: string, base = url, headers: Record<string, string> = json) {
  const res = await fetch(`${base}${path}`, { method: "POST", body, headers });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, bytes: text.length };
}

/** The server answers, nothing is loaded (or only `loaded`), and the program behaves as before. */
async function unharmed(loaded: string[] = []) {
  const info = await fetch(`${url}/hp/v1/info`);
  expect(info.status).toBe(200);
  expect(((await info.json()) as { hp_id: string }[]).map((p) => p.hp_id)).toEqual(loaded);
  if (loaded.length === 0) expect([ctx.x.version(), ctx.x.add(2, 3)]).toEqual([1, 5]);
  expect(Object.keys(Object.prototype)).toEqual([]);
}

test.each(["toString", "constructor", "hasOwnProperty", "__proto__", "valueOf", "0", "__defineGetter__"])("RPC method %j is no method: -32601 E_NOT_FOUND, not a 500", async (method) => {
  const single = await post("/hp", JSON.stringify({ jsonrpc: "2.0", method, params: { hp_file: "x.wasm" }, id: 1 }));
  expect([single.status, single.body.error.code, single.body.error.data.code, single.body.id]).toEqual([404, -32601, "E_NOT_FOUND", 1]);
  const go = await post("/hp", JSON.stringify({ method, params: [{}], id: 2 }));
  expect([go.status, go.body.error]).toEqual([404, `E_NOT_FOUND: no method ${method}; the methods are HP.Load, HP.Unload, HP.Info`]);
  await unharmed();
});

test("\"__proto__\" in a config over HTTP and JSON-RPC is a name: refused with its code (the patch has no such export), never a load that replaces nothing", async () => {
  const hp_bytes = Buffer.from(wat(`(module (func (export "version") (result i32) (i32.const 2)))`)).toString("base64");
  const upload = await fetch(`${url}/hp/v1/load?replace_config=${encodeURIComponent('{"__proto__":"main.version"}')}`, { method: "POST", headers: { "content-type": "application/wasm" }, body: Buffer.from(hp_bytes, "base64") });
  expect([upload.status, ((await upload.json()) as { code: string }).code]).toEqual([422, "E_UNKNOWN_EXPORT"]);
  const body = await post("/hp/v1/load", `{"hp_file": "x.wasm", "replace_config": {"__proto__": "main.version"}}`);
  expect([body.status, body.body.code]).toEqual([404, "E_PATCH_READ_FAILED"]); // the map passed: the file is what is missing
  const rpc = await post("/hp", `{"jsonrpc": "2.0", "method": "HP.Load", "params": {"hp_bytes": "${hp_bytes}", "replace_config": {"__proto__": "main.version"}}, "id": 3}`);
  expect([rpc.status, rpc.body.result.code, rpc.body.result.error]).toEqual([200, "E_UNKNOWN_EXPORT", 'E_UNKNOWN_EXPORT: the patch exports no function "__proto__"']);
  const nested = await post("/hp/v1/load", `{"hp_file": "x.wasm", "__proto__": {"replace_config": {}}}`);
  expect([nested.status, nested.body.code]).toEqual([400, "E_INVALID_CONFIG"]);
  await unharmed();
});

test(`a batch of more than ${MAX_BATCH_CALLS} calls (2,000 HP.Info) is refused whole with E_TOO_LARGE, before any call runs`, async () => {
  const calls = Array.from({ length: 2000 }, (_, i) => ({ jsonrpc: "2.0", method: "HP.Info", id: i }));
  const res = await post("/hp", JSON.stringify(calls));
  expect([res.status, res.body.error.code, res.body.error.data.code, res.body.error.message]).toEqual([400, -32600, "E_TOO_LARGE", "E_TOO_LARGE: the batch has 2000 calls; at most 100 are accepted"]);
  await unharmed();
});

test("answers are bounded: with a large patch loaded, a batch's HP.Info answers stop at the budget (E_TOO_LARGE), the rest still answered in order", async () => {
  const imports = Array.from({ length: 1000 }, (_, i) => `(import "ref" "counter_${"r".repeat(60)}_${i}" (global (mut i32)))`).join(" ");
  const ref_config = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`counter_${"r".repeat(60)}_${i}`, "main.counter"]));
  const id = await ctx.host.loadHP({ hp_bytes: wat(`(module ${imports} (func (export "version") (result i32) (i32.const 7)))`), replace_config: { version: "main.version" }, ref_config });
  try {
    const one = JSON.stringify({ jsonrpc: "2.0", id: 0, result: { info: ctx.host.getHPInfo() } }).length;
    expect(one).toBeGreaterThan(BUDGET / 4);
    const calls = [...Array.from({ length: 99 }, (_, i) => ({ jsonrpc: "2.0", method: "HP.Info", id: i })), { jsonrpc: "2.0", method: "HP.Unload", params: { hp_id: "0".repeat(64) }, id: 99 }];
    const res = await post("/hp", JSON.stringify(calls), budgetUrl);
    expect(res.status).toBe(200);
    const answers = res.body as { id: number; result?: unknown; error?: { code: number; data: { code: string } } }[];
    expect(answers.map((a) => a.id)).toEqual(calls.map((c) => c.id));
    const full = answers.filter((a) => a.result !== undefined && (a.result as { info?: unknown[] }).info?.length === 1).length;
    expect(full).toBe(Math.floor(BUDGET / (one + 1)));
    // Info answers past the budget are refused; a small answer (the unload's refusal) still fits.
    expect(answers.slice(full, 99).every((a) => a.error?.data.code === "E_TOO_LARGE")).toBe(true);
    expect((answers[99]!.result as { code: string }).code).toBe("E_UNKNOWN_PATCH");
    expect(res.bytes).toBeLessThan(BUDGET + 200 * 100);
    expect(ctx.x.version()).toBe(7);
  } finally {
    await ctx.host.unloadHP(id);
  }
  await unharmed();
});

test("ids: a deeply nested or huge id gets a JSON-RPC error (-32600, id null), not a 500; numbers and short strings are echoed", async () => {
  const deep = `${"[".repeat(5000)}1${"]".repeat(5000)}`;
  const nested = await post("/hp", `{"jsonrpc": "2.0", "method": "HP.Info", "id": ${deep}}`);
  expect([nested.status, nested.body.id, nested.body.error.code, nested.body.error.data.code]).toEqual([400, null, -32600, "E_BAD_REQUEST"]);
  const object = await post("/hp", `{"jsonrpc": "2.0", "method": "HP.Info", "id": {"a": ${deep}}}`);
  expect([object.status, object.body.error.code]).toEqual([400, -32600]);
  const huge = await post("/hp", JSON.stringify({ jsonrpc: "2.0", method: "HP.Info", id: "i".repeat(1024 * 1024) }));
  expect([huge.status, huge.body.error.data.code, huge.bytes < 1000]).toEqual([400, "E_TOO_LARGE", true]);
  const batch = await post("/hp", `[{"jsonrpc": "2.0", "method": "HP.Info", "id": ${deep}}, {"jsonrpc": "2.0", "method": "HP.Info", "id": "ok"}]`);
  expect(batch.body.map((a: { id: unknown; error?: { code: number } }) => [a.id, a.error?.code ?? null])).toEqual([[null, -32600], ["ok", null]]);
  const deepParams = await post("/hp", `{"jsonrpc": "2.0", "method": "HP.Load", "params": ${deep}, "id": 4}`);
  expect([deepParams.status, deepParams.body.error.code]).toEqual([400, -32602]);
  await unharmed();
});

test("unloading an unknown id names no existing_hp_id (HTTP and JSON-RPC); a repeated load does", async () => {
  const unknown = "f".repeat(64);
  const http = await post("/hp/v1/unload", JSON.stringify({ hp_id: unknown }));
  expect([http.status, http.body]).toEqual([404, { error: `E_UNKNOWN_PATCH: no loaded patch has id "${unknown}"`, code: "E_UNKNOWN_PATCH" }]);
  const rpc = await post("/hp", JSON.stringify({ jsonrpc: "2.0", method: "HP.Unload", params: { hp_id: unknown }, id: 1 }));
  expect(rpc.body.result).toEqual({ error: `E_UNKNOWN_PATCH: no loaded patch has id "${unknown}"`, code: "E_UNKNOWN_PATCH", status: 404 });
  const bytes = Buffer.from(wat(`(module (func (export "version") (result i32) (i32.const 2)))`)).toString("base64");
  const first = await post("/hp", JSON.stringify({ jsonrpc: "2.0", method: "HP.Load", params: { hp_bytes: bytes, replace_config: { version: "main.version" } }, id: 1 }));
  const again = await post("/hp", JSON.stringify({ jsonrpc: "2.0", method: "HP.Load", params: { hp_bytes: bytes, replace_config: { version: "main.version" } }, id: 2 }));
  expect(again.body.result).toEqual(expect.objectContaining({ code: "E_ALREADY_LOADED", existing_hp_id: first.body.result.hp_id }));
  await ctx.host.unloadHP(first.body.result.hp_id);
  await unharmed();
});

test("the gate: a browser form's body type (text/plain) is E_UNSUPPORTED_MEDIA_TYPE; another Host is E_FORBIDDEN_ORIGIN", async () => {
  const form = await post("/hp/v1/load", JSON.stringify({ hp_file: "/etc/passwd" }), url, { "content-type": "text/plain;charset=UTF-8" });
  expect([form.status, form.body.code]).toEqual([415, "E_UNSUPPORTED_MEDIA_TYPE"]);
  const curl = await post("/hp/v1/unload", JSON.stringify({ hp_id: "0".repeat(64) }), url, { "content-type": "application/x-www-form-urlencoded" });
  expect([curl.status, curl.body.code]).toEqual([404, "E_UNKNOWN_PATCH"]);
  await unharmed();
});
