// HostPool as a user sees it: calls on any or one worker, the same admin surface and result
// shapes as a Host (also over HPHttpServer), events, failing workers, start-up refusals, close.

import { afterEach, expect, test } from "vitest";
import { createServer, type Server } from "node:http";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { HotwasmError } from "../../../host/errors.js";
import type { HostEvent } from "../../../host/model/events.js";
import { Host } from "../../../host/core/host.js";
import { HPHttpServer } from "../../../host/admin/http-server.js";
import { HostPool } from "../../../host/pool/host-pool.js";
import { createRecord, makePool, POOL_IMPORTS, poolAppBinary, versionPatch } from "../../helpers/pool.js";
import { wat } from "../../helpers/wat.js";

let pool: HostPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

const replaceVersion = { version: "version" };
const refusal = (promise: Promise<unknown>) => promise.then(() => { throw new Error("expected a refusal"); }, (err: HotwasmError) => err);
/** A version patch with all four hooks; HPAfterUnload fails. */
const hooked = (k: number) => versionPatch(k, `(func (export "HPBeforeLoad") (result i32) (i32.const 0))
  (func (export "HPAfterLoad")) (func (export "HPAfterUnload") (result i32) (i32.const 1))`);

test("calls go to an idle worker (never behind a long call) or a chosen one; failures name the worker", async () => {
  ({ pool } = await makePool(2));
  expect(await pool.call("add", 2, 3)).toBe(5);
  expect(await pool.callOn(1, "add", 40, 2)).toBe(42);
  const spin = pool.callOn(0, "spin");
  spin.catch(() => undefined);
  expect(await Promise.all(Array.from({ length: 20 }, (_, i) => pool!.call("add", i, i)))).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i));
  const trap = await refusal(pool.callOn(1, "divide", 1, 0));
  expect([trap.code, trap.details.worker]).toEqual(["E_CALL_FAILED", 1]);
  expect(trap.message).toMatch(/^worker 1: divide: .*divide by zero/);
  expect((await refusal(pool.callOn(1, "nope"))).message).toBe('worker 1: the base exports no function "nope"');
  expect((await refusal(pool.callOn(5, "add"))).message).toBe("the pool has no worker 5 (it has 2)");
});

test("the same admin surface as a Host: result shapes, info, identity, events", async () => {
  const record = createRecord(1);
  const { default: makeImports } = (await import(pathToFileURL(POOL_IMPORTS).href)) as { default: (ctx: object) => WebAssembly.Imports };
  const host = await Host.instantiate(await poolAppBinary(), makeImports({ index: 0, workers: 1, data: record.data }));
  ({ pool } = await makePool(2));
  const events: HostEvent[] = [];
  pool.on((e) => events.push(e));

  const config = { hp_bytes: hooked(3), replace_config: replaceVersion };
  const id = await pool.loadHP(config);
  expect(id).toBe(await host.loadHP(config));
  const withoutTime = (info: ReturnType<Host["getHPInfo"]>) => info.map(({ loaded_at: _, ...rest }) => rest);
  expect(withoutTime(pool.getHPInfo())).toEqual(withoutTime(host.getHPInfo()));
  expect(await pool.callOn(1, "callVersion")).toBe(3);
  const again = await refusal(pool.loadHP(config));
  expect([again.code, again.details.hp_id]).toEqual(["E_ALREADY_LOADED", id]);

  expect(await pool.unloadHP(id)).toEqual({
    hp_id: id,
    warnings: [0, 1].map((w) => `worker ${w}: HPAfterUnload failed (returned 1); the patch is unloaded`),
  });
  expect(pool.getHPInfo()).toEqual([]);
  expect((await refusal(pool.unloadHP(id))).code).toBe("E_UNKNOWN_PATCH");
  const hook = (name: string, worker: number) => ({ type: "hook", hp_id: id, hook: name, ok: name !== "HPAfterUnload", worker });
  expect(events.map(({ seq: _s, time: _t, ...e }) => ("detail" in e && e.detail === undefined ? { ...e, detail: undefined } : e))).toEqual([
    { type: "load-begin", hp_id: id },
    expect.objectContaining(hook("HPBeforeLoad", 0)), expect.objectContaining(hook("HPBeforeLoad", 1)),
    { type: "commit", hp_id: id, targets: ["assembly/index/version"] },
    expect.objectContaining(hook("HPAfterLoad", 0)), expect.objectContaining(hook("HPAfterLoad", 1)),
    { type: "loaded", hp_id: id },
    expect.objectContaining({ type: "refused", action: "load", code: "E_ALREADY_LOADED" }),
    { type: "unload-begin", hp_id: id },
    { type: "revert", hp_id: id, targets: ["assembly/index/version"] },
    expect.objectContaining(hook("HPAfterUnload", 0)), expect.objectContaining(hook("HPAfterUnload", 1)),
    { type: "unloaded", hp_id: id, warnings: expect.any(Array) },
    expect.objectContaining({ type: "refused", action: "unload", code: "E_UNKNOWN_PATCH" }),
  ]);
});

test("HPHttpServer serves a pool with hotgo's HTTP API", async () => {
  ({ pool } = await makePool(3));
  const dir = await mkdtemp(join(tmpdir(), "hotwasm-pool-"));
  const server: Server = createServer(HPHttpServer(pool));
  try {
    await writeFile(join(dir, "hp.wasm"), versionPatch(8));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/hp/v1`;
    const post = async (path: string, body: unknown) => (await fetch(`${base}/${path}`, { method: "POST", body: JSON.stringify(body) })).json();
    const loaded = await post("load", { hp_file: join(dir, "hp.wasm"), replace_config: replaceVersion }) as { hp_id: string; error: string };
    expect(loaded.error).toBe("");
    expect(await Promise.all([0, 1, 2].map((w) => pool!.callOn(w, "callVersion")))).toEqual([8, 8, 8]);
    const info = await (await fetch(`${base}/info`)).json() as { hp_id: string; config: { hp_file: string } }[];
    expect(info.map((p) => [p.hp_id, p.config.hp_file])).toEqual([[loaded.hp_id, join(dir, "hp.wasm")]]);
    expect(await post("unload", { hp_id: loaded.hp_id })).toEqual({ error: "" });
    expect(await Promise.all([0, 1, 2].map((w) => pool!.callOn(w, "callVersion")))).toEqual([1, 1, 1]);
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("a worker that exits fails its calls and every later swap, naming it; the others keep serving calls", async () => {
  ({ pool } = await makePool(2));
  const crash = await refusal(pool.callOn(1, "crash"));
  expect([crash.code, crash.message, crash.details.worker]).toEqual(["E_WORKER_FAILED", "worker 1 exited (code 3)", 1]);
  expect((await refusal(pool.callOn(1, "add", 1, 1))).code).toBe("E_WORKER_FAILED");
  expect(await pool.call("add", 1, 1)).toBe(2);
  const load = await refusal(pool.loadHP({ hp_bytes: versionPatch(2), replace_config: replaceVersion }));
  expect([load.code, load.details.worker]).toEqual(["E_WORKER_FAILED", 1]);
  expect(await pool.callOn(0, "callVersion")).toBe(1);
});

test("start-up refusals: a missing imports module names the worker; a plain module; a bad option", async () => {
  const missing = await refusal(HostPool.create(await poolAppBinary(), { workers: 2, imports: "/nonexistent/imports.mjs" }));
  expect([missing.code, missing.details.worker]).toEqual(["E_WORKER_FAILED", 0]);
  expect(missing.message).toMatch(/^worker 0: .*nonexistent/);
  const plain = wat(`(module (func (export "f")))`);
  expect((await refusal(HostPool.create(plain, { workers: 1 }))).code).toBe("E_NOT_PATCHABLE_BUILD");
  const zero = await refusal(HostPool.create(await poolAppBinary(), { workers: 0 }));
  expect([zero.code, zero.message]).toEqual(["E_INVALID_OPTION", "workers must be a whole number from 1 to 1024, not 0"]);
});

test("close ends running calls with E_POOL_CLOSED; later calls and loads are refused", async () => {
  ({ pool } = await makePool(2));
  const spin = pool.callOn(0, "spin");
  spin.catch(() => undefined);
  expect(await pool.callOn(1, "add", 1, 2)).toBe(3);
  await pool.close();
  expect((await refusal(spin)).code).toBe("E_POOL_CLOSED");
  expect((await refusal(pool.call("add", 1, 2))).code).toBe("E_POOL_CLOSED");
  expect((await refusal(pool.loadHP({ hp_bytes: versionPatch(2), replace_config: replaceVersion }))).code).toBe("E_POOL_CLOSED");
});
