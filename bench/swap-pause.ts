// Benchmark 2, swap pause: how long the program cannot run while a patch of N functions commits
// (the synchronous table-and-flag step of a load, from the host's "loaded" timings) and while one
// is taken out (the whole synchronous unload). Sizes are interleaved within each repeat.

import type { Host } from "../host/core/host.js";
import { makeManyFunctionConfig, makeManyFunctionPatch } from "./generated.js";
import { computeMedian, computeQuantile } from "./stats.js";

/** Pause figures for one patch size, in microseconds. */
export interface SwapPauseResult {
  functions: number;
  commitMedianUs: number;
  commitP95Us: number;
  unloadMedianUs: number;
  unloadP95Us: number;
  repeats: number;
}

const WARMUP = 5;

/** Loads and unloads patches of each size `repeats` times on `host` (a generated base). */
export async function measureSwapPause(host: Host, sizes: number[], repeats: number): Promise<SwapPauseResult[]> {
  const patches = sizes.map((n) => ({ n, bytes: makeManyFunctionPatch(n), config: makeManyFunctionConfig(n) }));
  const commits = new Map(sizes.map((n) => [n, [] as number[]]));
  const unloads = new Map(sizes.map((n) => [n, [] as number[]]));
  let lastCommit = Number.NaN;
  const off = host.on((e) => {
    if (e.type === "loaded" && e.timings) lastCommit = e.timings.commit;
  });
  try {
    for (let r = 0; r < repeats + WARMUP; r++) {
      for (let i = 0; i < patches.length; i++) {
        const p = patches[(i + r) % patches.length]!;
        const id = await host.loadHP({ hp_bytes: p.bytes, replace_config: p.config });
        const started = performance.now();
        host.unloadHPSync(id);
        const unload = performance.now() - started;
        if (r < WARMUP) continue;
        commits.get(p.n)!.push(lastCommit * 1000);
        unloads.get(p.n)!.push(unload * 1000);
      }
    }
  } finally {
    off();
  }
  return sizes.map((n) => ({
    functions: n,
    commitMedianUs: computeMedian(commits.get(n)!),
    commitP95Us: computeQuantile(commits.get(n)!, 0.95),
    unloadMedianUs: computeMedian(unloads.get(n)!),
    unloadP95Us: computeQuantile(unloads.get(n)!, 0.95),
    repeats,
  }));
}
