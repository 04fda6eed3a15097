// The admin server in process: hotgo's HTTP and RPC APIs on one server, uploads over both, the
// JSON-RPC 2.0 and Go 1.0 shapes, batches, refusals as results, protocol errors, the HTML debug
// page and its JSON form, and the audit records.

import { afterEach, beforeAll, expect, test } from "vitest";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AdminRecord } from "../../../host/admin/admin-hooks.js";
import { createAdminClient } from "../../../host/admin/admin-client.js";
import { consoleImports } from "../../../host/core/console-imports.js";
import { startAdminServer, type AdminServer } from "../../../host/node/admin-server.js";
import { instantiateServedHost } from "../../../host/node/serve-host.js";
import { exampleBinaries } from "../../helpers/example-app.js";
import { fnPatch } from "../../helpers/wat.js";
import { formatManifest } from "../../../cli/format-inspect.js";

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
    const res = await fetch(`${server!.url}/hp`, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } });
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

test("JSON-RPC: HP.Load / HP.Unload / HP.Info in Go's 1.0 shape and in 2.0; a refusal is a result with error, code and status", async () => {
  const { rpc, host } = await start();
  const go = await rpc({ method: "HP.Load", params: [{ hp_file: "hp.wasm" }], id: 7 });
  expect(go).toEqual({ status: 200, body: { id: 7, result: { hp_id: expect.stringMatching(/^[0-9a-f]{64}$/), error: "" }, error: null } });
  const id = go.body!.result.hp_id as string;
  const again = await rpc({ method: "HP.Load", params: [{ hp_file: "hp.wasm" }], id: 8 });
  expect(again).toEqual({ status: 200, body: { id: 8, error: null, result: {
    hp_id: "", error: expect.stringMatching(/^E_ALREADY_LOADED: /), code: "E_ALREADY_LOADED", status: 409, existing_hp_id: id,
  } } });
  expect((await rpc({ jsonrpc: "2.0", method: "HP.Info", id: "a" })).body).toEqual({ jsonrpc: "2.0", id: "a", result: { info: host.getHPInfo() } });
  expect((await rpc({ jsonrpc: "2.0", method: "HPRpcService.Info", id: "b" })).body).toEqual({ jsonrpc: "2.0", id: "b", result: { info: host.getHPInfo() } });
  const unknown = await rpc({ jsonrpc: "2.0", method: "HP.Unload", params: { hp_id: "nope" }, id: 9 });
  expect(unknown).toEqual({ status: 200, body: { jsonrpc: "2.0", id: 9, result: { error: expect.stringMatching(/^E_UNKNOWN_PATCH: /), code: "E_UNKNOWN_PATCH", status: 404 } } });
  expect(await rpc({ jsonrpc: "2.0", method: "HP.Unload", params: { hp_id: id } })).toEqual({ status: 204, body: null });
  expect(host.getHPInfo()).toEqual([]);
});

test("JSON-RPC protocol errors keep the spec's numbers and the hotwasm code in data; nothing changes", async () => {
  const { rpc, host } = await start();
  const cases: [unknown, number, number, string][] = [
    ["{not json", 400, -32700, "E_BAD_REQUEST"],
    [[], 400, -32600, "E_BAD_REQUEST"],
    [{ jsonrpc: "1.5", method: "HP.Info", id: 1 }, 400, -32600, "E_BAD_REQUEST"],
    [{ jsonrpc: "2.0", method: 5, id: 1 }, 400, -32600, "E_BAD_REQUEST"],
    [{ jsonrpc: "2.0", method: "HP.Nope", id: 1 }, 404, -32601, "E_NOT_FOUND"],
    [{ jsonrpc: "2.0", method: "HP.Unload", params: { id: "x" }, id: 1 }, 400, -32602, "E_BAD_REQUEST"],
    [{ jsonrpc: "2.0", method: "HP.Load", params: { hp_file: "hp.wasm", extra: 1 }, id: 1 }, 400, -32602, "E_INVALID_CONFIG"],
    [{ jsonrpc: "2.0", method: "HP.Load", params: { hp_file: "hp.wasm", policy: { max_traps: -1, window_ms: 10 } }, id: 1 }, 400, -32602, "E_INVALID_CONFIG"],
    [{ jsonrpc: "2.0", method: "HP.Load", params: { hp_bytes: "!!" }, id: 1 }, 400, -32602, "E_BAD_REQUEST"],
    [{ jsonrpc: "2.0", method: "HP.Load", params: "hp.wasm", id: 1 }, 400, -32602, "E_BAD_REQUEST"],
  ];
  for (const [body, status, number, code] of cases) {
    const got = await rpc(body);
    expect([body, got.status, got.body?.error?.code, got.body?.error?.data?.code]).toEqual([body, status, number, code]);
    expect(got.body?.error?.message).toMatch(new RegExp(`^${code}: `));
    expect(got.body?.result).toBeUndefined();
  }
  expect(host.getHPInfo()).toEqual([]);
});

test("JSON-RPC batches: answers in order, one per call with an id, protocol errors and refusals side by side", async () => {
  const { rpc, host } = await start();
  const { status, body } = await rpc([
    { jsonrpc: "2.0", method: "HP.Load", params: { hp_file: "hp.wasm" }, id: 1 },
    { jsonrpc: "2.0", method: "HP.Load", params: { hp_file: "hp.wasm" }, id: 2 },
    { jsonrpc: "2.0", method: "HP.Nope", id: 3 },
    5,
    { jsonrpc: "2.0", method: "HP.Info" },
    { method: "HP.Info", params: [{}], id: 4 },
  ]);
  expect(status).toBe(200);
  const [id] = host.getHPInfo().map((p) => p.hp_id);
  expect(body).toEqual([
    { jsonrpc: "2.0", id: 1, result: { hp_id: id, error: "" } },
    { jsonrpc: "2.0", id: 2, result: expect.objectContaining({ hp_id: "", code: "E_ALREADY_LOADED", existing_hp_id: id }) },
    { jsonrpc: "2.0", id: 3, error: expect.objectContaining({ code: -32601, data: { code: "E_NOT_FOUND" } }) },
    { jsonrpc: "2.0", id: null, error: expect.objectContaining({ code: -32600, data: { code: "E_BAD_REQUEST" } }) },
    { id: 4, result: { info: host.getHPInfo() }, error: null },
  ]);
  expect(await rpc([{ jsonrpc: "2.0", method: "HP.Unload", params: { hp_id: id } }])).toEqual({ status: 204, body: null });
  expect(host.getHPInfo()).toEqual([]);
});

test("/hpdebug is an HTML page: base build, patches in stack order, which replacement is in force, events; JSON on request", async () => {
  const { rpc, url, host } = await start();
  const auth = { authorization: `Bearer ${TOKEN}` };
  const a = (await rpc({ jsonrpc: "2.0", method: "HP.Load", params: { hp_file: "hp.wasm" }, id: 1 })).body!.result.hp_id as string;
  const loadB = await rpc({ jsonrpc: "2.0", method: "HP.Load", params: { hp_bytes: Buffer.from(fnPatch("quiet", "", "")).toString("base64"), replace_config: { quiet: "func1" }, policy: { max_traps: 3, window_ms: 1000 } }, id: 2 });
  expect(loadB.body!.result.error).toBe("");
  const b = loadB.body!.result.hp_id as string;
  await rpc({ jsonrpc: "2.0", method: "HP.Load", params: { hp_file: "<img src=x onerror=alert(1)>.wasm" }, id: 3 });
  const res = await fetch(`${url}/hpdebug`, { headers: auth });
  expect([res.status, res.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"]);
  const html = await res.text();
  expect(html).toMatch(/^<!doctype html>/);
  expect(html).not.toMatch(/<script|<img/i);
  expect(html).toContain("&#60;img src=x onerror=alert(1)&#62;.wasm");
  expect(html).toContain(`<code>${host.manifest.buildId}</code>`);
  // Counted as `hotwasm inspect` counts: the program's own functions, not the library's or the runtime hooks.
  const inspected = formatManifest(host.manifest, false);
  const patchable = Number(/patchable functions \((\d+)\)/.exec(inspected)![1]);
  const fixed = Number(/not patchable \((\d+) of the program's own/.exec(inspected)?.[1] ?? 0);
  expect(patchable).toBeGreaterThan(0);
  expect(html).toContain(`<td data-label="patchable functions">${patchable} of ${patchable + fixed}</td>`);
  expect(html.indexOf(`<code>${a}</code>`)).toBeLessThan(html.indexOf(`<code>${b}</code>`));
  expect(html).toContain(`<span class="off"><code>${a.slice(0, 12)}</code></span> → <b><code>${b.slice(0, 12)}</code></b> (in force)`);
  expect(html).toContain("at most 3 traps in 1000 ms; 0 so far");
  expect(html).toContain('<code>HP.Load</code></td><td data-label="calls">3</td>');

  const json = await (await fetch(`${url}/hpdebug?format=json`, { headers: auth })).json();
  const viaAccept = await (await fetch(`${url}/hpdebug`, { headers: { ...auth, accept: "application/json" } })).json();
  expect(viaAccept.patches).toEqual(json.patches);
  expect(json.base).toEqual(expect.objectContaining({ build_id: host.manifest.buildId, compiler: expect.stringMatching(/^assemblyscript /) }));
  expect(json.patches.map((p: { hp_id: string }) => p.hp_id)).toEqual([a, b]);
  expect(json.functions).toEqual([{ symbol: "assembly/index/func1", stack: [a, b] }]);
  expect(json.services).toEqual([{ name: "HP", methods: [{ name: "HP.Load", calls: 3 }, { name: "HP.Unload", calls: 0 }, { name: "HP.Info", calls: 0 }] }]);
  expect(json.events.map((e: { type: string }) => e.type)).toEqual([
    "load-begin", "hook", "commit", "hook", "loaded", "load-begin", "commit", "loaded", "refused",
  ]);
  const since = await (await fetch(`${url}/hpdebug?format=json&since=8`, { headers: auth })).json();
  expect(since.events).toEqual([expect.objectContaining({ seq: 9, type: "refused", code: "E_PATCH_READ_FAILED" })]);
  expect((await fetch(`${url}/hpdebug`)).status).toBe(401);
});

test("a non-loopback address without a token is refused before listening", async () => {
  const { host } = await instantiateServedHost({ app: appPath, patchDir: dir, imports: (get) => consoleImports(get, () => {}) });
  const refused = await startAdminServer(host, { hostname: "0.0.0.0", port: 0 }).then(() => "listening", (e: { code: string }) => e.code);
  expect(refused).toBe("E_ADMIN_CONFIG");
});
