// All or nothing across workers: a failure in any worker's phase 1 (instantiation, HPBeforeLoad,
// HPBeforeUnload), a failing HPAfterLoad in phase 2, or a worker that never reaches a safe point
// leaves every worker on the code it had, and the error names the worker with its own code.

import { afterEach, expect, test } from "vitest";
import { HotwasmError } from "../../../host/errors.js";
import type { HostEvent } from "../../../host/model/events.js";
import type { HostPool } from "../../../host/pool/host-pool.js";
import { makePool, versionPatch, waitUntil } from "../../helpers/pool.js";
import { wat } from "../../helpers/wat.js";

let pool: HostPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

const replaceVersion = { version: "version" };
const versions = (p: HostPool, from = 0) => Promise.all([0, 1, 2, 3].slice(from, p.size).map((w) => p.callOn(w, "callVersion")));
const refusal = (promise: Promise<unknown>) => promise.then(() => { throw new Error("expected a refusal"); }, (err: HotwasmError) => err);
/** spin() on worker `w`; its promise is marked handled, so a failed test does not add a stray rejection. */
const spinOn = (p: HostPool, w: number) => {
  const spin = p.callOn(w, "spin") as Promise<number>;
  spin.catch(() => undefined);
  return spin;
};
/** A version patch that also imports `env.workerIndex` and exports `hook`, which fails in worker 2. */
const failingIn2 = (k: number, hook: string) => versionPatch(k, `(import "env" "workerIndex" (func $wi (result i32)))
  (func (export "${hook}") (result i32) (i32.eq (call $wi) (i32.const 2)))`);

test("one worker's instantiation fails: no worker switched, the error names it", async () => {
  const made = await makePool(4, { badLimitWorker: 2 });
  pool = made.pool;
  const events: HostEvent[] = [];
  made.pool.on((e) => events.push(e));
  const spin = spinOn(made.pool, 0);
  await waitUntil(() => made.record.calls(0) > 0, "worker 0 spins");
  // Worker 2's imports give env.limit as a BigInt, which an i32 global import cannot take.
  const patch = versionPatch(9, `(import "env" "limit" (global $limit i32))`);
  const err = await refusal(made.pool.loadHP({ hp_bytes: patch, replace_config: replaceVersion }));
  expect(err).toBeInstanceOf(HotwasmError);
  expect(err.code).toBe("E_INSTANTIATE_FAILED");
  expect(err.message).toMatch(/^worker 2: the patch could not be instantiated/);
  expect(err.details.worker).toBe(2);
  expect(await versions(made.pool, 1)).toEqual([1, 1, 1]);
  expect(made.pool.getHPInfo()).toEqual([]);
  expect(events.map((e) => e.type)).toEqual(["load-begin", "refused"]);
  // Nothing was left staged: the next load goes through everywhere, the spinning worker included.
  const id = await made.pool.loadHP({ hp_bytes: versionPatch(5), replace_config: replaceVersion });
  expect(await versions(made.pool, 1)).toEqual([5, 5, 5]);
  await waitUntil(() => made.record.runs(0).at(-1)?.version === 5, "the spinning worker runs version 5");
  made.record.stopSpinning();
  await spin;
  expect(made.record.runs(0).map((r) => r.version)).toEqual([1, 5]); // version 9 never ran anywhere
  expect(made.pool.getHPInfo().map((p) => p.hp_id)).toEqual([id]);
});

test("HPBeforeLoad vetoes in one worker: no worker switched; hooks are reported per worker", async () => {
  const made = await makePool(4);
  pool = made.pool;
  const events: HostEvent[] = [];
  made.pool.on((e) => events.push(e));
  const err = await refusal(made.pool.loadHP({ hp_bytes: failingIn2(9, "HPBeforeLoad"), replace_config: replaceVersion }));
  expect([err.code, err.details.worker]).toEqual(["E_HOOK_VETO", 2]);
  expect(err.message).toMatch(/^worker 2: HPBeforeLoad refused the load \(returned 1\)/);
  expect(await versions(made.pool)).toEqual([1, 1, 1, 1]);
  const hooks = events.filter((e) => e.type === "hook").map((e) => [(e as { worker?: number }).worker, e.type === "hook" && e.ok]);
  expect(hooks).toEqual([[0, true], [1, true], [2, false], [3, true]]);
});

test("HPAfterLoad fails in one worker: every worker rolls back before any call runs the patch", async () => {
  const made = await makePool(4);
  pool = made.pool;
  const events: HostEvent[] = [];
  made.pool.on((e) => events.push(e));
  const err = await refusal(made.pool.loadHP({ hp_bytes: failingIn2(9, "HPAfterLoad"), replace_config: replaceVersion }));
  expect([err.code, err.details.worker]).toEqual(["E_HOOK_FAILED", 2]);
  expect(await versions(made.pool)).toEqual([1, 1, 1, 1]);
  expect(made.pool.getHPInfo()).toEqual([]);
  expect([0, 1, 2, 3].flatMap((w) => made.record.runs(w).map((r) => r.version))).toEqual([1, 1, 1, 1]);
  expect(events.map((e) => e.type)).toEqual(["load-begin", "hook", "hook", "hook", "hook", "rollback", "refused"]);
});

test("HPBeforeUnload vetoes in one worker: the patch stays in force everywhere", async () => {
  const made = await makePool(4);
  pool = made.pool;
  const id = await made.pool.loadHP({ hp_bytes: failingIn2(6, "HPBeforeUnload"), replace_config: replaceVersion });
  const err = await refusal(made.pool.unloadHP(id));
  expect([err.code, err.details.worker]).toEqual(["E_HOOK_VETO", 2]);
  expect(await versions(made.pool)).toEqual([6, 6, 6, 6]);
  expect(made.pool.getHPInfo().map((p) => p.hp_id)).toEqual([id]);
});

test("a worker busy in a build without safepoints times out the swap: nothing switches; it is stopped and replaced with the patches in force; later swaps work", async () => {
  const made = await makePool(3, { safepoints: "off", safepointTimeoutMs: 2000 });
  pool = made.pool;
  const events: HostEvent[] = [];
  made.pool.on((e) => events.push(e));
  const inForce = await made.pool.loadHP({ hp_bytes: versionPatch(3), replace_config: replaceVersion });
  const spin = spinOn(made.pool, 1);
  await waitUntil(() => made.record.calls(1) > 0, "worker 1 spins");
  const err = await refusal(made.pool.loadHP({ hp_bytes: versionPatch(4), replace_config: replaceVersion }));
  expect([err.code, err.details.worker]).toEqual(["E_SAFEPOINT_TIMEOUT", 1]);
  expect(err.message).toBe("worker 1 did not reach a safe point within 2000 ms");
  // Its call in flight is answered with a code; a fresh worker 1 has the patch in force, and info says what every worker has.
  const stopped = await refusal(spin);
  expect([stopped.code, stopped.details.worker]).toEqual(["E_WORKER_REPLACED", 1]);
  expect(events.filter((e) => e.type === "worker-replaced")).toEqual([expect.objectContaining({ worker: 1, reason: expect.stringMatching(/^worker 1 did not reach a safe point within 2000 ms; it was stopped and replaced/) })]);
  expect(made.pool.getHPInfo().map((p) => [p.hp_id, p.state])).toEqual([[inForce, "loaded"]]);
  expect(await Promise.all([0, 1, 2].map((w) => made.pool.callOn(w, "callVersion")))).toEqual([3, 3, 3]);
  made.record.stopSpinning();
  await made.pool.loadHP({ hp_bytes: versionPatch(4), replace_config: replaceVersion });
  expect(await Promise.all([0, 1, 2].map((w) => made.pool.callOn(w, "callVersion")))).toEqual([4, 4, 4]);
});

test("bytes that are no module are refused before any worker is asked; a misfit by every worker", async () => {
  const made = await makePool(2);
  pool = made.pool;
  const badType = wat(`(module (func (export "version") (param i32) (result i32) (local.get 0)))`);
  const err = await refusal(made.pool.loadHP({ hp_bytes: new Uint8Array([0, 97, 115, 109, 9]), replace_config: replaceVersion }));
  expect(err.code).toBe("E_INVALID_MODULE");
  const mismatch = await refusal(made.pool.loadHP({ hp_bytes: badType, replace_config: replaceVersion }));
  expect([mismatch.code, mismatch.details.worker]).toEqual(["E_SIGNATURE_MISMATCH", 0]);
  expect(mismatch.message).toMatch(/^worker 0: version has type \(i32\) -> i32 .* \(and 1 more: worker 1 E_SIGNATURE_MISMATCH\)$/);
  expect(await versions(made.pool)).toEqual([1, 1]);
});
