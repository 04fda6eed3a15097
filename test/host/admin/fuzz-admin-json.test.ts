// Property-based fuzzing (fast-check) of the admin surfaces' JSON, through the real listener and
// gate: objects written key by key (so "__proto__", "constructor", "toString", duplicates and
// empty keys reach the server as sent), huge strings, deep arrays and objects, random methods,
// ids and batches. For every input: no 5xx, a JSON answer with known codes (never E_INTERNAL), the
// server answers on, Object.prototype and the built-ins are untouched, and the base behaves as
// before. HOTWASM_FUZZ_CASES / HOTWASM_FUZZ_SEED scale it (npm run fuzz: 20,000 inputs).

import { afterAll, beforeAll, expect, test } from "vitest";
import fc from "fast-check";
import { createServer, type Server } from "node:http";
import { createAdminListener } from "../../../host/node/admin-server.js";
import { ERROR_CODES } from "../../../host/errors.js";
import { makeHost } from "../../helpers/base.js";
import { wat } from "../../helpers/wat.js";

const RUNS = process.env.HOTWASM_FUZZ_CASES ? Math.ceil(Number(process.env.HOTWASM_FUZZ_CASES) / 5) : 250;
const SEED = Number(process.env.HOTWASM_FUZZ_SEED ?? 1);
let ctx: Awaited<ReturnType<typeof makeHost>>;
let server: Server;
let url = "";
const builtins = () => [Object.assign, Object.keys, Object.prototype.toString, Object.prototype.hasOwnProperty, JSON.parse, Object.getOwnPropertyNames(Object.prototype).join()];
let pristine: unknown[] = [];

beforeAll(async () => {
  ctx = await makeHost();
  server = createServer(createAdminListener(ctx.host, { rpc: true, maxUploadBytes: 256 * 1024 }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  pristine = builtins();
});
afterAll(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));

const HOSTILE = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype", "__defineGetter__", "isPrototypeOf", "0", "", "length", "then"];
const FIELDS = ["hp_file", "hp_bytes", "replace_config", "ref_config", "policy", "max_traps", "window_ms", "hp_id", "jsonrpc", "method", "params", "id"];
const SYMBOLS = ["main.version", "version", "add", "main.counter", "Counter#inc", "~lib/rt/itcms/__new", "main.", "\u001b[2K", "a".repeat(1025)];
const VALID = Buffer.from(wat(`(module (func (export "version") (result i32) (i32.const 2)))`)).toString("base64");

/** JSON text, written by hand: objects are key/value lists (duplicates and "__proto__" as sent). */
type Json = { text: string };
const text = (value: unknown): Json => ({ text: JSON.stringify(value) });
const key = fc.oneof(fc.constantFrom(...HOSTILE, ...FIELDS), fc.string({ maxLength: 12 }));
// Huge and deep values are rarer than small ones: each costs a large body.
const leaf: fc.Arbitrary<Json> = fc.oneof(
  { arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, 1e308, 2 ** 53, 0.5, "", "hp.wasm", "../../etc/passwd", VALID, "!!", "2.0", "HP.Load", "HP.Info", "HP.Unload").map(text), weight: 6 },
  { arbitrary: fc.constantFrom(...HOSTILE, ...SYMBOLS).map(text), weight: 6 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 40 }).map(text), weight: 4 },
  { arbitrary: fc.integer({ min: 1000, max: 200_000 }).map((n) => text("x".repeat(n))), weight: 1 },
  { arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => ({ text: `${"[".repeat(n)}1${"]".repeat(n)}` })), weight: 1 },
  { arbitrary: fc.integer({ min: 100, max: 5_000 }).map((n) => ({ text: `${'{"__proto__":'.repeat(n)}{}${"}".repeat(n)}` })), weight: 1 },
);
const { json } = fc.letrec<{ json: Json; object: Json; array: Json }>((tie) => ({
  json: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("object"), tie("array")),
  object: fc.array(fc.tuple(key, tie("json")), { maxLength: 6 }).map((entries) => ({ text: `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v.text}`).join(",")}}` })),
  array: fc.array(tie("json"), { maxLength: 5 }).map((items) => ({ text: `[${items.map((i) => i.text).join(",")}]` })),
}));
/** A symbol map with hostile names, as JSON text (maybe over the entry bound). */
const symbolMap = fc.oneof(
  fc.array(fc.tuple(fc.oneof(fc.constantFrom(...HOSTILE, "version"), key), fc.oneof(fc.constantFrom(...SYMBOLS, ...HOSTILE), fc.string({ maxLength: 20 }))), { maxLength: 8 })
    .map((entries) => ({ text: `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}` })),
  fc.integer({ min: 1000, max: 1100 }).map((n) => text(Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, "main.version"])))),
  json,
);
const config = fc.record({
  hp: fc.oneof(fc.constant(`"hp_bytes":${JSON.stringify(VALID)}`), fc.constant('"hp_file":"hp.wasm"'), json.map((j) => `"hp_bytes":${j.text}`), json.map((j) => `"hp_file":${j.text}`)),
  replace: fc.option(symbolMap), ref: fc.option(symbolMap), extra: fc.option(fc.tuple(key, json)),
}).map(({ hp, replace, ref, extra }) => ({
  text: `{${[hp, replace && `"replace_config":${replace.text}`, ref && `"ref_config":${ref.text}`, extra && `${JSON.stringify(extra[0])}:${extra[1].text}`].filter(Boolean).join(",")}}`,
}));
const method = fc.oneof(fc.constantFrom("HP.Load", "HP.Unload", "HP.Info", "HPRpcService.LoadHP", ...HOSTILE, "HP.__proto__", "HP.constructor"), fc.string({ maxLength: 20 }));
const id = fc.oneof(fc.constantFrom("1", '"a"', "null", "{}", "[1]", "1e400", "-0"), leaf.map((l) => l.text));
const call = fc.record({ v: fc.constantFrom('"jsonrpc":"2.0",', ""), method, params: fc.oneof(config, json, config.map((c) => ({ text: `[${c.text}]` }))), id: fc.option(id) })
  .map((c) => `{${c.v}"method":${JSON.stringify(c.method)},"params":${c.params.text}${c.id === null ? "" : `,"id":${c.id}`}}`);

type Request = { path: string; body: string; type: string };
const request: fc.Arbitrary<Request> = fc.oneof(
  config.map((c) => ({ path: "/hp/v1/load", body: c.text, type: "application/json" })),
  json.map((j) => ({ path: "/hp/v1/load", body: j.text, type: "application/json" })),
  fc.oneof(json, fc.constant(text({ hp_id: "0".repeat(64) }))).map((j) => ({ path: "/hp/v1/unload", body: j.text, type: "application/json" })),
  fc.tuple(fc.constantFrom("replace_config", "ref_config", "policy", "__proto__"), symbolMap.filter((m) => m.text.length < 4000))
    .map(([k, m]) => ({ path: `/hp/v1/load?${k}=${encodeURIComponent(m.text)}`, body: Buffer.from(VALID, "base64").toString("latin1"), type: "application/wasm" })),
  call.map((c) => ({ path: "/hp", body: c, type: "application/json" })),
  fc.array(call, { maxLength: 110 }).map((calls) => ({ path: "/hp", body: `[${calls.join(",")}]`, type: "application/json" })),
  fc.tuple(fc.constantFrom("/hp", "/hp/v1/load", "/hp/v1/unload"), json, fc.constantFrom("text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "")).map(([path, j, type]) => ({ path, body: j.text, type })),
);

/** Every code in an answer (HTTP body, JSON-RPC error or result, batch). */
function codesIn(body: unknown): string[] {
  if (Array.isArray(body)) return body.flatMap(codesIn);
  if (typeof body !== "object" || body === null) return [];
  const b = body as { code?: unknown; error?: { data?: { code?: unknown } }; result?: unknown };
  return [b.code, b.error?.data?.code, ...(b.result ? codesIn(b.result) : [])].filter((c): c is string => typeof c === "string");
}

test(`${RUNS} JSON inputs with hostile names, huge and deep values: coded answers, the server, the built-ins and the base unharmed`, async () => {
  const statuses = new Map<number, number>();
  const codes = new Map<string, number>();
  const outcome = await fc.check(fc.asyncProperty(request, async ({ path, body, type }) => {
    const res = await fetch(`${url}${path}`, { method: "POST", body: type === "application/wasm" ? Buffer.from(body, "latin1") : body, headers: type ? { "content-type": type } : {} });
    const answer = await res.text();
    const where = `POST ${path.slice(0, 120)} (${type}) ${body.slice(0, 200)}: HTTP ${res.status} ${answer.slice(0, 300)}`;
    if (res.status >= 500) throw new Error(where);
    // 431: Node's own parser refuses an oversized URL before hotwasm sees the request.
    const parsed = res.status === 204 || res.status === 431 ? null : (JSON.parse(answer) as unknown);
    for (const code of codesIn(parsed)) {
      if (!Object.prototype.hasOwnProperty.call(ERROR_CODES, code) || code === "E_INTERNAL") throw new Error(`${where}: code ${code}`);
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    for (const p of ctx.host.getHPInfo()) if (p.state === "loaded") await ctx.host.unloadHP(p.hp_id);
    expect(builtins()).toEqual(pristine);
    expect([ctx.x.version(), ctx.x.add(2, 3)]).toEqual([1, 5]);
  }), { numRuns: RUNS, seed: SEED, endOnFailure: true });
  // A failure is reported short: an input may be megabytes of brackets.
  if (outcome.failed) throw new Error(`fuzz admin JSON failed at run ${outcome.numRuns} (seed ${SEED}, path ${outcome.counterexamplePath}): ${String(outcome.errorInstance).slice(0, 1500)}`);
  expect((await fetch(`${url}/hp/v1/info`)).status).toBe(200);
  console.log(`fuzz admin JSON: ${RUNS} inputs (seed ${SEED}), 0 failures; HTTP ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}: ${n}`).join(", ")}; ` +
    `${[...codes].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([c, n]) => `${c} ${n}`).join(", ")}`);
}, 3_600_000);
