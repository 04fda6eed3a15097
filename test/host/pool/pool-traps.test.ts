// Trap containment across a pool: failures under a patch with a policy are counted by the pool
// over all workers; going over the limit rolls the patch back in every worker at once (no hook
// runs), with the pool's events, getHPInfo and the state store saying so.

import { afterEach, expect, test } from "vitest";
import type { HotwasmError } from "../../../host/errors.js";
import type { HostEvent } from "../../../host/model/events.js";
import type { StoredPatch } from "../../../host/lifecycle/patch-store.js";
import type { HostPool } from "../../../host/pool/host-pool.js";
import { makePool, waitUntil } from "../../helpers/pool.js";
import { wat } from "../../helpers/wat.js";

let pool: HostPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

/** divide(a, b) = a / b + 1000: traps inside the patch when b is 0; its unload hook would veto. */
const divide = wat(`(module
  (func (export "divide") (param i32 i32) (result i32) (i32.add (i32.div_s (local.get 0) (local.get 1)) (i32.const 1000)))
  (func (export "HPBeforeUnload") (result i32) (i32.const 1)))`);
const policy = { max_traps: 2, window_ms: 60_000 };
const failure = (p: Promise<unknown>) => p.then(() => null, (e: HotwasmError) => e.code);

test("failures in any worker count together; over the limit the patch leaves every worker, without hooks", async () => {
  ({ pool } = await makePool(2));
  const events: HostEvent[] = [];
  pool.on((e) => events.push(e));
  const lists: StoredPatch[][] = [];
  await pool.persistTo({ saveBytes: async () => {}, saveList: async (l) => { lists.push(l); } });
  const id = await pool.loadHP({ hp_bytes: divide, replace_config: { divide: "divide" }, policy });
  expect(await Promise.all([0, 1].map((w) => pool!.callOn(w, "divide", 6, 3)))).toEqual([1002, 1002]);

  expect(await failure(pool.callOn(0, "divide", 1, 0))).toBe("E_CALL_FAILED");
  expect(await failure(pool.callOn(1, "divide", 1, 0))).toBe("E_CALL_FAILED");
  expect(pool.getHPInfo()[0]).toMatchObject({ hp_id: id, state: "loaded", traps: 2 });
  expect(await Promise.all([0, 1].map((w) => pool!.callOn(w, "divide", 6, 3)))).toEqual([1002, 1002]); // at the limit, still in force
  expect(await failure(pool.callOn(1, "divide", 1, 0))).toBe("E_CALL_FAILED");
  await waitUntil(() => pool!.getHPInfo()[0]?.state === "rolled_back", "the pool rolls the patch back");

  expect(await Promise.all([0, 1].map((w) => pool!.callOn(w, "divide", 6, 3)))).toEqual([2, 2]);
  expect(pool.getHPInfo()).toEqual([expect.objectContaining({
    hp_id: id, state: "rolled_back", traps: 3, rolled_back: { reason: "its code failed 3 times within 60000 ms (policy: at most 2)", at: expect.any(String) },
  })]);
  const seen = events.filter((e) => "hp_id" in e && e.hp_id === id && e.type !== "hook" && e.type !== "load-begin" && e.type !== "commit" && e.type !== "loaded")
    .map((e) => (e.type === "trap" ? `trap ${e.count} worker ${(e as { worker?: number }).worker}` : e.type));
  expect(seen).toEqual(["trap 1 worker 0", "trap 2 worker 1", "trap 3 worker 1", "rollback", "revert", "unloaded"]);
  expect(lists.map((l) => l.map((p) => [p.hp_id, p.policy]))).toEqual([[], [[id, policy]], []]);
});

test("a patch without a policy is never rolled back by the pool", async () => {
  ({ pool } = await makePool(2));
  const id = await pool.loadHP({ hp_bytes: divide, replace_config: { divide: "divide" } });
  for (let i = 0; i < 4; i++) expect(await failure(pool.callOn(i % 2, "divide", 1, 0))).toBe("E_CALL_FAILED");
  expect(pool.getHPInfo()).toEqual([expect.objectContaining({ hp_id: id, state: "loaded" })]);
  expect(pool.getHPInfo()[0]!.traps).toBeUndefined();
  expect(await pool.callOn(0, "divide", 6, 3)).toBe(1002);
});
