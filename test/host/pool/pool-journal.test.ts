// A HostPool with a state store, as `serve --workers N --state-dir D` runs it: every load and
// unload is recorded after all workers switched; a load the store cannot record is taken out of
// every worker again; recorded patches are re-applied in order, and a damaged record refused.

import { afterEach, expect, test } from "vitest";
import type { HotwasmError } from "../../../host/errors.js";
import type { HostEvent } from "../../../host/model/events.js";
import type { PatchStore, StoredPatch } from "../../../host/lifecycle/patch-store.js";
import type { HostPool } from "../../../host/pool/host-pool.js";
import { makePool, versionPatch } from "../../helpers/pool.js";

let pools: HostPool[] = [];
afterEach(async () => {
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
});

/** A store in memory; `failList` makes the next saveList calls fail. */
function memoryStore() {
  const bytes = new Map<string, Uint8Array>();
  const lists: StoredPatch[][] = [];
  const store = {
    bytes, lists, failList: false,
    saveBytes: async (sha: string, b: Uint8Array) => { bytes.set(sha, b.slice()); },
    saveList: async (list: StoredPatch[]) => {
      if (store.failList) throw new Error("disk full");
      lists.push(structuredClone(list));
    },
  } satisfies PatchStore & Record<string, unknown>;
  return store;
}

async function startPool() {
  const made = await makePool(2);
  pools.push(made.pool);
  return made.pool;
}
const versions = (pool: HostPool) => Promise.all([0, 1].map((w) => pool.callOn(w, "callVersion")));
const config = (k: number) => ({ hp_bytes: versionPatch(k), replace_config: { version: "version" } });

test("loads and unloads are recorded in order; a restarted pool re-applies them exactly", async () => {
  const pool = await startPool();
  const store = memoryStore();
  await pool.persistTo(store);
  const two = await pool.loadHP(config(2));
  const three = await pool.loadHP(config(3));
  const four = await pool.loadHP(config(4));
  await pool.unloadHP(three);
  expect(store.lists.map((l) => l.map((p) => p.hp_id))).toEqual([[], [two], [two, three], [two, three, four], [two, four]]);
  expect(store.lists.at(-1)!.map((p) => p.config.replace_config)).toEqual([{ version: "version" }, { version: "version" }]);

  const again = await startPool();
  const events: HostEvent[] = [];
  again.on((e) => events.push(e));
  for (const entry of store.lists.at(-1)!) await again.restoreHP(entry, async () => store.bytes.get(entry.sha256)!);
  expect(again.getHPInfo().map((p) => p.hp_id)).toEqual([two, four]);
  expect(await versions(again)).toEqual([4, 4]);
  expect(events.filter((e) => e.type === "loaded").map((e) => e.type === "loaded" && [e.hp_id, e.restored])).toEqual([[two, true], [four, true]]);
});

test("a load the store cannot record is taken out of every worker; an unload it cannot record is a warning", async () => {
  const pool = await startPool();
  const store = memoryStore();
  await pool.persistTo(store);
  const kept = await pool.loadHP(config(2));
  store.failList = true;
  const err = await pool.loadHP(config(5)).then(() => null, (e: HotwasmError) => e);
  expect([err?.code, err?.message]).toEqual(["E_STATE_WRITE_FAILED", "the state directory could not record the load; it was rolled back: disk full"]);
  expect(pool.getHPInfo().map((p) => p.hp_id)).toEqual([kept]);
  expect(await versions(pool)).toEqual([2, 2]);
  const unloaded = await pool.unloadHP(kept);
  expect(unloaded.warnings).toEqual(["the state directory could not record the change: disk full; the patch will be re-applied at the next start"]);
  expect(await versions(pool)).toEqual([1, 1]);
});

test("a record whose bytes do not give its id is refused with E_STATE_CORRUPT; nothing changes", async () => {
  const pool = await startPool();
  const entry: StoredPatch = { hp_id: "0".repeat(64), sha256: "1".repeat(64), config: { hp_file: "", replace_config: { version: "version" }, ref_config: {} } };
  const err = await pool.restoreHP(entry, async () => versionPatch(6)).then(() => null, (e: HotwasmError) => e);
  expect(err?.code).toBe("E_STATE_CORRUPT");
  expect(pool.getHPInfo()).toEqual([]);
  expect(await versions(pool)).toEqual([1, 1]);
});
