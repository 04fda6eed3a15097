// Benchmark: what safepoint polls cost. Four kernels (a tight arithmetic loop, a loop calling a
// small function, nested loops, recursive fib) built with --safepoints off, entries, loops and
// both, run in one Host with a poll like a pool worker's (one Atomics.load); the median time of
// each, and its ratio to the build without polls. Run: node dist/bench/safepoint-cost.js [--json]

import { pathToFileURL } from "node:url";
import { buildPatchable } from "../compiler/base/build.js";
import type { SafepointMode } from "../compiler/base/insert-safepoints.js";
import { Host } from "../host/core/host.js";
import { formatTable, percentile } from "./percentiles.js";

/** One build's median time per kernel (ms) and its ratio to "off". */
export interface PollCost {
  build: string;
  kernels: Record<string, { ms: number; ratio: number }>;
}

const SOURCE = `
export function sumLoop(n: i32): i32 { let s = 0; for (let i = 0; i < n; i++) s += i * i; return s; }
function small(x: i32): i32 { return (x ^ (x >>> 3)) + 1; }
export function callLoop(n: i32): i32 { let x = 0; for (let i = 0; i < n; i++) x = small(x); return x; }
export function nested(n: i32): i32 { let s = 0; for (let i = 0; i < n; i++) for (let j = 0; j < 100; j++) s += i ^ j; return s; }
export function fib(n: i32): i32 { return n < 2 ? n : fib(n - 1) + fib(n - 2); }`;

const KERNELS: [string, (x: Record<string, any>) => unknown][] = [
  ["sumLoop", (x) => x.sumLoop(20_000_000)],
  ["callLoop", (x) => x.callLoop(20_000_000)],
  ["nested", (x) => x.nested(200_000)],
  ["fib(30)", (x) => x.fib(30)],
];

const BUILDS: { build: string; mode: SafepointMode; interval?: number }[] = [
  { build: "off", mode: "off" },
  { build: "entries", mode: "entries" },
  { build: "loops", mode: "loops" },
  { build: "both", mode: "both" },
  { build: "both, interval 1", mode: "both", interval: 1 },
];

/** Measures every kernel in every build, `reps` times, interleaved. */
export async function benchSafepointCost(reps = 7): Promise<PollCost[]> {
  const control = new Int32Array(new SharedArrayBuffer(4));
  const poll = () => { if (Atomics.load(control, 0) !== 0) throw new Error("unexpected stop"); };
  const hosts = [];
  for (const b of BUILDS) {
    const { binary } = await buildPatchable({
      entries: ["bench/kernels.ts"], files: { "bench/kernels.ts": SOURCE }, outFile: false, config: false,
      ascArgs: ["-O3", "--runtime", "stub"], safepoints: b.mode, pollInterval: b.interval,
    });
    hosts.push(await Host.instantiate(binary, { hotwasm: { poll } }));
  }
  const times = BUILDS.map(() => KERNELS.map(() => [] as number[]));
  for (let rep = -2; rep < reps; rep++) {
    hosts.forEach((host, h) => KERNELS.forEach(([, run], k) => {
      const start = performance.now();
      run(host.exports);
      if (rep >= 0) times[h]![k]!.push(performance.now() - start);
    }));
  }
  const medians = times.map((perKernel) => perKernel.map((xs) => percentile(xs, 50)));
  return BUILDS.map((b, h) => ({
    build: b.build,
    kernels: Object.fromEntries(KERNELS.map(([name], k) => [name, { ms: medians[h]![k]!, ratio: medians[h]![k]! / medians[0]![k]! }])),
  }));
}

/** The costs as a table: median ms and ratio to "off" per kernel. */
export function formatPollCost(costs: PollCost[]): string {
  const names = KERNELS.map(([n]) => n);
  return formatTable([
    ["build", ...names],
    ...costs.map((c) => [c.build, ...names.map((n) => `${c.kernels[n]!.ms.toFixed(1)} ms x${c.kernels[n]!.ratio.toFixed(2)}`)]),
  ]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const costs = await benchSafepointCost();
  console.log(process.argv.includes("--json") ? JSON.stringify(costs) : `safepoint poll cost (median of 7, ratio to a build without polls)\n${formatPollCost(costs)}`);
}
