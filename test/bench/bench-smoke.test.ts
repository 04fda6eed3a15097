// `npm run bench` runs end to end on tiny sizes (--quick): every benchmark, the table, the JSON.
// It checks that the script works, never how fast anything is.

import { afterAll, beforeAll, expect, test } from "vitest";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotwasm-bench-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test("the bench script runs on a tiny size and writes its table and JSON", async () => {
  const out = join(dir, "bench.json");
  const script = join(root, "dist/bench/main.js");
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ["--expose-gc", script, "--quick", "--out", out], { cwd: root, maxBuffer: 1 << 22 }, (err, so, se) =>
      err ? reject(new Error(`${err.message}\n${se}`)) : resolve(so));
  });
  for (const heading of ["Call overhead", "Swap pause", "Load latency", "Memory", "Under churn", "Edit -> patch", "Shadow fields", "Fleet", "Goals"]) expect(stdout).toContain(heading);
  const json = JSON.parse(await readFile(out, "utf8"));
  expect(json.quick).toBe(true);
  expect(json.machine).toMatchObject({ node: process.version, cores: expect.any(Number), cpu: expect.any(String), date: expect.any(String) });
  expect(json.callOverhead.map((w: { workload: string }) => w.workload)).toEqual(["fib", "loop", "strings", "methods"]);
  expect(json.swapPause.map((s: { functions: number }) => s.functions)).toEqual([1, 10, 100]);
  expect(json.loadLatency).toHaveLength(2);
  expect(json.memory.gc).toBe(true);
  expect(json.churn[0].wrong).toBe(0);
  expect(json.churn[0].calls).toBeGreaterThan(0);
  expect(json.shadowFields).toMatchObject({ shadowVsPlain: expect.any(Number), hookVsNoHook: expect.any(Number) });
  expect(json.editToPatch.cold).toHaveLength(3);
  expect(json.editToPatch.sizes.map((s: { edit: string }) => s.edit)).toEqual(["body-fix", "new-helper", "add-lines"]);
  expect(json.editToPatch.stack.loaded).toBe(20);
  expect(json.goals.length).toBeGreaterThan(10);
  if (json.fleet.skipped) expect(json.fleet.skipped).toMatch(/nats-server is not installed/);
  else expect([json.fleet.hosts, json.fleet.convergeMs.length, json.fleet.idle.perHostPerMinute.outMsgs >= 0]).toEqual([5, 1, true]);
}, 300_000);
