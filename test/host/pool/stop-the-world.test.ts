// Stop-the-world across a pool: 4 workers call version() in tight loops (two inside one long Wasm
// call each, two through many short calls) while a patch loads and unloads 100 times; a shared
// record of every call's start proves no worker ever started a call on the old version after
// another had started one on the new, and that no call was lost or failed.

import { afterEach, expect, test } from "vitest";
import type { HostPool } from "../../../host/pool/host-pool.js";
import { findViolations, makePool, versionPatch, waitUntil } from "../../helpers/pool.js";

let pool: HostPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

test("100 loads and unloads under load: stop-the-world held on every swap, no call lost or failed", async () => {
  const made = await makePool(4);
  pool = made.pool;
  const { record } = made;
  const spinners = [0, 1];
  const callers = [2, 3];
  const spins = spinners.map((w) => made.pool.callOn(w, "spin") as Promise<number>);
  for (const s of spins) s.catch(() => undefined); // awaited below; handled now so a failure adds no stray rejection
  const shortCalls = [0, 0, 0, 0];
  const badResults: unknown[] = [];
  let calling = true;
  const loops = callers.map(async (w) => {
    while (calling) {
      const v = await made.pool.callOn(w, "callVersion");
      if (typeof v !== "number" || v < 1 || v > 101) badResults.push(v);
      shortCalls[w]!++;
    }
  });

  const expected = [1];
  for (let k = 2; k <= 101; k++) {
    const id = await made.pool.loadHP({ hp_bytes: versionPatch(k), replace_config: { version: "version" } });
    expected.push(k);
    record.nextEpoch();
    if (k === 2) {
      // The long-running frames reach the new version at their next call (bounded wait, not a timing check).
      for (const w of spinners) await waitUntil(() => record.runs(w).some((r) => r.version === 2), `worker ${w} runs version 2`);
    }
    await made.pool.unloadHP(id);
    expected.push(1);
    record.nextEpoch();
  }
  expect(made.pool.getHPInfo()).toEqual([]);

  calling = false;
  await Promise.all(loops);
  record.stopSpinning();
  const spun = await Promise.all(spins);

  const runs = [0, 1, 2, 3].flatMap((w) => record.runs(w));
  expect([0, 1, 2, 3].map((w) => record.overflowed(w))).toEqual([false, false, false, false]);
  expect(findViolations(runs, expected)).toEqual([]);
  // No call lost: every call a worker started is one the test made or spin() counted.
  expect(badResults).toEqual([]);
  expect(spinners.map((w, i) => record.calls(w) - spun[i]!)).toEqual([0, 0]);
  expect(callers.map((w) => record.calls(w) - shortCalls[w]!)).toEqual([0, 0]);
  expect(callers.every((w) => shortCalls[w]! > 0)).toBe(true);
  // The swaps reached the busy workers: each long-running call saw patched versions.
  for (const w of spinners) expect(record.runs(w).filter((r) => r.version > 1).length).toBeGreaterThan(0);
});

test("a worker inside one long call switches at its next call, and back after the unload", async () => {
  const made = await makePool(2);
  pool = made.pool;
  const { record } = made;
  const spin = made.pool.callOn(0, "spin") as Promise<number>;
  spin.catch(() => undefined);
  await waitUntil(() => record.calls(0) > 0, "worker 0 spins");
  const id = await made.pool.loadHP({ hp_bytes: versionPatch(7), replace_config: { version: "version" } });
  expect(await made.pool.callOn(1, "callVersion")).toBe(7);
  await waitUntil(() => record.runs(0).at(-1)?.version === 7, "the spinning worker calls version 7");
  await made.pool.unloadHP(id);
  await waitUntil(() => record.runs(0).at(-1)?.version === 1, "the spinning worker calls version 1 again");
  record.stopSpinning();
  expect(await spin).toBe(record.calls(0));
  expect(record.runs(0).map((r) => r.version)).toEqual([1, 7, 1]);
});

test("the checker finds interleaved versions and versions out of order, and accepts a worker that skipped one", () => {
  const run = (worker: number, version: number, first: number, last: number) => ({ worker, version, first, last });
  // Worker 1 started a version-1 call (ticket 25) after worker 0 started one on version 2 (ticket 20).
  expect(findViolations([run(0, 1, 0, 10), run(1, 1, 0, 25), run(0, 2, 20, 30)], [1, 2, 1])).toEqual([
    "worker 1 ran version 1 at tickets 0..25, worker 0 version 2 at 20..30",
  ]);
  expect(findViolations([run(0, 3, 0, 10), run(0, 2, 11, 20)], [1, 2, 1, 3, 1])).toEqual([
    "version 2 ran out of order (versions in ticket order: 3, 2)",
  ]);
  // Worker 1 made no call while version 2 was in force: its runs on version 1 before and after are separate.
  expect(findViolations([run(1, 1, 0, 15), run(0, 2, 20, 30), run(1, 1, 35, 40)], [1, 2, 1])).toEqual([]);
});
