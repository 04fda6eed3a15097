// Fuzzing the admin surfaces: random HTTP API and JSON-RPC requests (methods, paths, bodies of
// random JSON, random bytes, hostile names, batches, mutated patches in base64 and as uploads).
// Each answer is JSON with a known code (never E_INTERNAL or a 5xx), the server keeps answering,
// and the base behaves as before. HOTWASM_FUZZ_CASES / HOTWASM_FUZZ_SEED scale it with npm run fuzz.

import { afterAll, beforeAll, expect, test } from "vitest";
import { createServer, type Server } from "node:http";
import { makeHost } from "../../helpers/base.js";
import { fuzzCase, HOSTILE_NAMES, prng, seedPatches } from "../../helpers/fuzz-inputs.js";
import { ERROR_CODES } from "../../../host/errors.js";
import { HPHttpServer } from "../../../host/admin/http-server.js";
import { HPRpcServer } from "../../../host/admin/rpc-server.js";

const CASES = Math.ceil(Number(process.env.HOTWASM_FUZZ_CASES ?? 2000) / 5);
const SEED = Number(process.env.HOTWASM_FUZZ_SEED ?? 1);
let server: Server;
let url = "";
let ctx: Awaited<ReturnType<typeof makeHost>>;

beforeAll(async () => {
  ctx = await makeHost();
  const http = HPHttpServer(ctx.host, { maxUploadBytes: 64 * 1024 });
  const rpc = HPRpcServer(ctx.host, { maxBodyBytes: 256 * 1024 });
  server = createServer((req, res) => ((req.url ?? "").startsWith("/hp/v1/") ? http : rpc)(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));

function randomJson(r: ReturnType<typeof prng>, depth = 0): unknown {
  const leaf = () => r.pick<unknown>([null, true, 0, -1, 1e308, 2 ** 53, "", r.pick(HOSTILE_NAMES), "hp.wasm", "AGFzbQEAAAA=", "!!"]);
  if (depth > 3 || r.next() < 0.4) return leaf();
  if (r.next() < 0.4) return Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1));
  const keys = ["hp_file", "hp_bytes", "hp_id", "replace_config", "ref_config", "policy", "jsonrpc", "method", "params", "id", "max_traps", "window_ms", ...HOSTILE_NAMES.slice(0, 8)];
  return Object.fromEntries(Array.from({ length: r.int(5) }, () => [r.pick(keys), randomJson(r, depth + 1)]));
}

function randomRequest(seeds: ReturnType<typeof seedPatches>, i: number): { path: string; init: RequestInit } {
  const r = prng((SEED * 0x85ebca6b) ^ i);
  const mutant = () => {
    const bytes = (fuzzCase(SEED, i, seeds).config as { hp_bytes?: unknown } | null)?.hp_bytes;
    return bytes instanceof Uint8Array ? bytes : new Uint8Array(0);
  };
  const method = () => r.pick(["HP.Load", "HP.Unload", "HP.Info", "HPRpcService.LoadHP", "HP.load", "HP", "", "HP.Load.x"]);
  const call = () => {
    if (r.next() < 0.15) return randomJson(r);
    const c: Record<string, unknown> = { jsonrpc: r.pick(["2.0", "2.0", "1.0", undefined]), method: method() };
    if (r.next() < 0.8) c.id = r.pick<unknown>([1, "a", null, {}, [1]]);
    c.params = r.next() < 0.5 ? randomJson(r) : { hp_bytes: Buffer.from(mutant()).toString("base64"), replace_config: { version: "version" } };
    return c;
  };
  const kind = r.int(6);
  if (kind === 0) return { path: "/hp/v1/load", init: { method: "POST", body: JSON.stringify(randomJson(r)) } };
  if (kind === 1) return { path: `/hp/v1/load?replace_config=${encodeURIComponent(JSON.stringify(randomJson(r)))}`, init: { method: "POST", headers: { "content-type": "application/wasm" }, body: mutant() as BodyInit } };
  if (kind === 2) {
    const verb = r.pick(["GET", "POST", "PUT", "DELETE"]);
    const body = verb === "GET" || r.next() < 0.5 ? {} : { body: JSON.stringify(randomJson(r)) };
    return { path: r.pick(["/hp/v1/unload", "/hp/v1/info", "/hp/v1/nope", "/hp", "/hpdebug", "/hpdebug?format=json&since=-5"]), init: { method: verb, ...body } };
  }
  if (kind === 3) return { path: "/hp", init: { method: "POST", body: JSON.stringify(r.next() < 0.5 ? call() : Array.from({ length: r.int(5) }, call)) } };
  if (kind === 4) return { path: r.pick(["/hp", "/hp/v1/load"]), init: { method: "POST", body: new Uint8Array(Array.from({ length: r.int(200) }, () => r.int(256))) as BodyInit } };
  return { path: "/hp/v1/load", init: { method: "POST", body: JSON.stringify({ hp_bytes: randomJson(r), replace_config: { [r.pick(HOSTILE_NAMES)]: r.pick(HOSTILE_NAMES) } }) } };
}

/** Every code in an answer (HTTP body, JSON-RPC error or result, batch). */
function codesIn(body: unknown): string[] {
  if (Array.isArray(body)) return body.flatMap(codesIn);
  if (typeof body !== "object" || body === null) return [];
  const b = body as { code?: unknown; error?: { data?: { code?: unknown } }; result?: unknown };
  return [b.code, b.error?.data?.code, ...(b.result ? codesIn(b.result) : [])].filter((c): c is string => typeof c === "string");
}

test(`${CASES} random requests to the HTTP and JSON-RPC APIs: coded answers, the server and the base unharmed`, async () => {
  const { host, x } = ctx;
  const statuses = new Map<number, number>();
  const seeds = seedPatches(host.manifest.arena.start, host.manifest.buildId, host.manifest.classes.length);
  for (let i = 0; i < CASES; i++) {
    const { path, init } = randomRequest(seeds, i);
    const res = await fetch(`${url}${path}`, init);
    const text = await res.text();
    const where = `request ${i} (seed ${SEED}) ${init.method} ${path.slice(0, 200)}: HTTP ${res.status} ${text.slice(0, 300)}`;
    if (res.status >= 500) throw new Error(where);
    let body: unknown = null;
    try {
      // 431: Node's own parser refuses an oversized URL before hotwasm sees the request.
      if (res.status !== 204 && res.status !== 431 && !res.headers.get("content-type")?.startsWith("text/html")) body = JSON.parse(text);
    } catch (err) {
      throw new Error(`${where}: not JSON`, { cause: err });
    }
    for (const code of codesIn(body)) if (!(code in ERROR_CODES) || code === "E_INTERNAL") throw new Error(`${where}: code ${code}`);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    for (const p of host.getHPInfo()) if (p.state === "loaded") await host.unloadHP(p.hp_id);
    expect([where, x.version(), x.add(2, 3)]).toEqual([where, 1, 5]);
  }
  expect((await fetch(`${url}/hp/v1/info`)).status).toBe(200);
  console.log(`fuzz admin: ${CASES} requests (seed ${SEED}), 0 failures; HTTP ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}: ${n}`).join(", ")}`);
}, 3_600_000);
