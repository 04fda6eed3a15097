// Benchmark 4, memory: many load/unload cycles of one patch; JS heap, RSS and the base's Wasm
// memory after a forced GC, before and after. Needs node --expose-gc.

import type { Host } from "../host/core/host.js";
import { makeHotPatch, HOT_VERSIONS } from "./generated.js";
import { toMiB } from "./stats.js";

/** Sizes after a forced GC, in MiB. */
export interface MemorySnapshot {
  heapUsed: number;
  rss: number;
  external: number;
  wasm: number;
}

/** Before and after `cycles` load/unload cycles. */
export interface MemoryResult {
  cycles: number;
  gc: boolean;
  before: MemorySnapshot;
  after: MemorySnapshot;
  growth: MemorySnapshot;
}

/** Loads and unloads one patch `cycles` times after a warm-up; measures around them. */
export async function measureMemory(host: Host, cycles: number, warmup: number): Promise<MemoryResult> {
  const bytes = makeHotPatch(HOT_VERSIONS.a);
  const cycle = async () => host.unloadHP(await host.loadHP({ hp_bytes: bytes, replace_config: { hot: "main.hot" } }));
  for (let i = 0; i < warmup; i++) await cycle();
  const before = await takeSnapshot(host);
  for (let i = 0; i < cycles; i++) await cycle();
  const after = await takeSnapshot(host);
  const diff = (k: keyof MemorySnapshot) => after[k] - before[k];
  return {
    cycles, gc: typeof globalThis.gc === "function", before, after,
    growth: { heapUsed: diff("heapUsed"), rss: diff("rss"), external: diff("external"), wasm: diff("wasm") },
  };
}

async function takeSnapshot(host: Host): Promise<MemorySnapshot> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    globalThis.gc?.();
  }
  const usage = process.memoryUsage();
  const memory = host.instance.exports[host.manifest.memory.export] as WebAssembly.Memory;
  return { heapUsed: toMiB(usage.heapUsed), rss: toMiB(usage.rss), external: toMiB(usage.external), wasm: toMiB(memory.buffer.byteLength) };
}
