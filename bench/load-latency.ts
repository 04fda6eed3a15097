// Benchmark 3, load latency: bytes in hand -> live, for a one-function patch and a large one,
// split into the host's phases (validate, compile, instantiate, commit). Every load uses new
// bytes, so the engine cannot reuse an earlier compilation.

import type { Host } from "../host/core/host.js";
import type { LoadTimings } from "../host/model/events.js";
import { makeManyFunctionConfig, makeManyFunctionPatch } from "./generated.js";
import { computeMedian } from "./stats.js";

/** Median milliseconds of one patch size, per phase and in total. */
export interface LoadLatencyResult {
  label: string;
  functions: number;
  bytes: number;
  phases: LoadTimings;
  /** From the call of loadHP to its promise resolving. */
  totalMs: number;
  repeats: number;
}

/** Loads (then unloads) each size `repeats` times, interleaved. */
export async function measureLoadLatency(host: Host, sizes: { label: string; functions: number }[], repeats: number): Promise<LoadLatencyResult[]> {
  const phases = new Map(sizes.map((s) => [s.functions, [] as LoadTimings[]]));
  const totals = new Map(sizes.map((s) => [s.functions, [] as number[]]));
  const bytes = new Map<number, number>();
  let last: LoadTimings | null = null;
  const off = host.on((e) => {
    if (e.type === "loaded" && e.timings) last = e.timings;
  });
  try {
    let salt = 1_000_000;
    for (let r = 0; r < repeats + 1; r++) {
      for (let i = 0; i < sizes.length; i++) {
        const { functions } = sizes[(i + r) % sizes.length]!;
        const patch = makeManyFunctionPatch(functions, salt++);
        bytes.set(functions, patch.length);
        const started = performance.now();
        const id = await host.loadHP({ hp_bytes: patch, replace_config: makeManyFunctionConfig(functions) });
        const total = performance.now() - started;
        await host.unloadHP(id);
        if (r === 0 || !last) continue; // warm-up round
        phases.get(functions)!.push(last);
        totals.get(functions)!.push(total);
      }
    }
  } finally {
    off();
  }
  return sizes.map(({ label, functions }) => {
    const list = phases.get(functions)!;
    const phase = (k: keyof LoadTimings) => computeMedian(list.map((t) => t[k]));
    return {
      label, functions, bytes: bytes.get(functions) ?? 0,
      phases: { validate: phase("validate"), compile: phase("compile"), instantiate: phase("instantiate"), commit: phase("commit") },
      totalMs: computeMedian(totals.get(functions)!),
      repeats,
    };
  });
}
