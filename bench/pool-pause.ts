// Benchmark: the pause of a stop-the-world swap in a HostPool with 1, 2 and 4 workers, every one
// busy inside one long Wasm call (a safepoint build). Per swap: how long until all workers were
// parked (stop), the longest time a worker was parked (pause), and stop to all released (total);
// p50 and p99 over the swaps. Run: npm run build:ts && node dist/bench/pool-pause.js [swaps] [--json]

import { pathToFileURL } from "node:url";
import { buildPatchable } from "../compiler/base/build.js";
import { HostPool } from "../host/pool/host-pool.js";
import { formatTable, percentile } from "./percentiles.js";

/** Pause figures for one pool size, in ms. */
export interface PauseFigures {
  workers: number;
  swaps: number;
  stop: { p50: number; p99: number };
  pause: { p50: number; p99: number };
  total: { p50: number; p99: number };
}

const SOURCE = `
@external("env", "keepSpinning") declare function keepSpinning(): i32;
export function step(x: i32): i32 { return x * 1103515245 + 12345; }
export function spin(): i32 {
  let x = 1;
  while (keepSpinning()) { for (let i = 0; i < 100000; i++) x = step(x); }
  return x;
}`;
const IMPORTS = `data:text/javascript,${encodeURIComponent(
  "export default ({ data }) => { const stop = new Int32Array(data.stop); return { env: { keepSpinning: () => (Atomics.load(stop, 0) === 0 ? 1 : 0) } }; };",
)}`;

/** Runs `swaps` swaps (loads and unloads, after a warm-up) for each pool size. */
export async function benchPoolPause(options: { workers?: number[]; swaps?: number } = {}): Promise<PauseFigures[]> {
  const { binary } = await buildPatchable({
    entries: ["bench/pool-app.ts"], files: { "bench/pool-app.ts": SOURCE }, outFile: false, config: false,
    ascArgs: ["-O3", "--runtime", "stub"], safepoints: "both",
  });
  const patch = stepPatch();
  const out: PauseFigures[] = [];
  for (const workers of options.workers ?? [1, 2, 4]) out.push(await measure(binary, patch, workers, options.swaps ?? 200));
  return out;
}

async function measure(binary: Uint8Array, patch: Uint8Array, workers: number, swaps: number): Promise<PauseFigures> {
  const stop = new SharedArrayBuffer(4);
  const pool = await HostPool.create(binary, { workers, imports: IMPORTS, importsData: { stop } });
  const spins = Array.from({ length: workers }, (_, w) => pool.callOn(w, "spin"));
  const samples = { stop: [] as number[], pause: [] as number[], total: [] as number[] };
  try {
    for (let i = -20; i < swaps; i += 2) {
      const id = await pool.loadHP({ hp_bytes: patch, replace_config: { step: "step" } });
      if (i >= 0) record(samples, pool);
      await pool.unloadHP(id);
      if (i >= 0) record(samples, pool);
    }
  } finally {
    Atomics.store(new Int32Array(stop), 0, 1);
    await Promise.allSettled(spins);
    await pool.close();
  }
  const p = (xs: number[]) => ({ p50: percentile(xs, 50), p99: percentile(xs, 99) });
  return { workers, swaps: samples.pause.length, stop: p(samples.stop), pause: p(samples.pause), total: p(samples.total) };
}

function record(samples: { stop: number[]; pause: number[]; total: number[] }, pool: HostPool): void {
  const s = pool.lastSwap!;
  samples.stop.push(s.stopMs);
  samples.pause.push(s.pauseMs);
  samples.total.push(s.totalMs);
}

/** A patch of `step` (hand-written: the bench needs no patch toolchain). */
function stepPatch(): Uint8Array {
  // (module (func (export "step") (param i32) (result i32) (i32.add (local.get 0) (i32.const 7))))
  return new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 3, 2, 1, 0, 7, 8, 1, 4, 115, 116, 101, 112, 0, 0,
    10, 9, 1, 7, 0, 32, 0, 65, 7, 106, 11,
  ]);
}

/** The figures as a table, in ms. */
export function formatPauseFigures(figures: PauseFigures[]): string {
  const ms = (x: number) => x.toFixed(3);
  return formatTable([
    ["workers busy", "swaps", "stop p50", "stop p99", "pause p50", "pause p99", "total p50", "total p99"],
    ...figures.map((f) => [String(f.workers), String(f.swaps), ms(f.stop.p50), ms(f.stop.p99), ms(f.pause.p50), ms(f.pause.p99), ms(f.total.p50), ms(f.total.p99)]),
  ]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const swaps = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 200);
  const figures = await benchPoolPause({ swaps });
  console.log(process.argv.includes("--json") ? JSON.stringify(figures) : `pause per swap, ms (all workers busy in one long Wasm call)\n${formatPauseFigures(figures)}`);
}
