// Benchmark 5, under churn: a loop calls the patched function `hot` (patch A in force) as fast as
// it can, in slices that yield to the event loop, while patches B and C load on top of A and
// unload again at a fixed rate through the async API. Calls per second against the same loop
// without churn; every answer is checked in Wasm against the versions that may be in force.

import type { Host } from "../host/host.js";
import { makeHotPatch, HOT_FACTORS } from "./generated.js";
import { readCpuMs, computeMedian, computePairedRatio } from "./stats.js";

/** Which version answered how many calls. */
export interface Answers {
  original: number;
  a: number;
  b: number;
  c: number;
}

/** Churn against no churn, medians over paired repeats. */
export interface ChurnResult {
  /** Load+unload cycles per second asked for. */
  cyclesPerSecTarget: number;
  /** Loads and unloads per second done (twice the cycles when the host keeps up). */
  opsPerSecAchieved: number;
  /** Calls per second of wall time. */
  callsPerSecQuiet: number;
  callsPerSecChurn: number;
  /** Calls per second of the process's CPU time (all threads: compilation and GC count too). */
  callsPerCpuSecQuiet: number;
  callsPerCpuSecChurn: number;
  /** 1 - churn/quiet calls per CPU second (median of paired repeats). */
  loss: number;
  /** The same from wall time, which other work on the machine skews. */
  wallLoss: number;
  calls: number;
  wrong: number;
  /** Answers under churn: A while only A is in force, B or C while one of them is on top; never the original. */
  seen: Answers;
  durationMs: number;
  repeats: number;
}

interface LoopRun {
  callsPerSec: number;
  callsPerCpuSec: number;
  opsPerSec: number;
  seen: Answers;
  wrong: number;
}

const SLICE_CALLS = 20_000;
const REPLACE = { replace_config: { hot: "main.hot" } };

/** Runs quiet and churning loops of `durationMs`, `repeats` times each, alternating. */
export async function measureChurn(host: Host, cyclesPerSec: number, durationMs: number, repeats: number): Promise<ChurnResult> {
  const base = await host.loadHP({ hp_bytes: makeHotPatch(HOT_FACTORS.a), ...REPLACE });
  const quiet: LoopRun[] = [];
  const churn: LoopRun[] = [];
  await runLoop(host, durationMs / 4, cyclesPerSec); // warm-up: tier-up of the loop and the patches
  for (let r = 0; r < repeats; r++) {
    quiet.push(await runLoop(host, durationMs, 0));
    churn.push(await runLoop(host, durationMs, cyclesPerSec));
  }
  await host.unloadHP(base);
  const sum = (k: keyof Answers) => churn.reduce((s, x) => s + x.seen[k], 0);
  const seen = { original: sum("original"), a: sum("a"), b: sum("b"), c: sum("c") };
  const ratio = computePairedRatio(churn.map((x) => x.callsPerCpuSec), quiet.map((x) => x.callsPerCpuSec));
  const wallRatio = computePairedRatio(churn.map((x) => x.callsPerSec), quiet.map((x) => x.callsPerSec));
  return {
    cyclesPerSecTarget: cyclesPerSec,
    opsPerSecAchieved: computeMedian(churn.map((x) => x.opsPerSec)),
    callsPerSecQuiet: computeMedian(quiet.map((x) => x.callsPerSec)),
    callsPerSecChurn: computeMedian(churn.map((x) => x.callsPerSec)),
    callsPerCpuSecQuiet: computeMedian(quiet.map((x) => x.callsPerCpuSec)),
    callsPerCpuSecChurn: computeMedian(churn.map((x) => x.callsPerCpuSec)),
    loss: 1 - ratio,
    wallLoss: 1 - wallRatio,
    calls: [...quiet, ...churn].reduce((s, x) => s + x.seen.original + x.seen.a + x.seen.b + x.seen.c + x.wrong, 0),
    // A stays in force throughout, so the base's own answer is as wrong as one matching no version.
    wrong: [...quiet, ...churn].reduce((s, x) => s + x.wrong + x.seen.original, 0),
    seen, durationMs, repeats,
  };
}

async function runLoop(host: Host, durationMs: number, cyclesPerSec: number): Promise<LoopRun> {
  const x = host.exports;
  const counters = [x.seenOriginal, x.seenA, x.seenB, x.seenC, x.wrong] as WebAssembly.Global[];
  for (const g of counters) g.value = 0;
  const patches = [makeHotPatch(HOT_FACTORS.b), makeHotPatch(HOT_FACTORS.c)];
  let ops = 0;
  let loaded: string | null = null;
  let pending: Promise<void> | null = null;
  const started = performance.now();
  const cpuStarted = readCpuMs();
  let now = started;
  while (now - started < durationMs) {
    x.spin(SLICE_CALLS);
    now = performance.now();
    const due = Math.floor(((now - started) * cyclesPerSec * 2) / 1000); // a cycle is a load and an unload
    if (cyclesPerSec > 0 && !pending && ops < due) {
      const op: Promise<unknown> = loaded
        ? host.unloadHP(loaded).then(() => { loaded = null; })
        : host.loadHP({ hp_bytes: patches[(ops >> 1) % 2]!, ...REPLACE }).then((id) => { loaded = id; });
      pending = op.then(() => { ops++; pending = null; });
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const elapsed = performance.now() - started;
  const cpu = readCpuMs() - cpuStarted;
  await pending;
  if (loaded) await host.unloadHP(loaded);
  const [original, a, b, c, wrong] = counters.map((g) => g.value as number) as [number, number, number, number, number];
  const calls = original + a + b + c + wrong;
  return { callsPerSec: (calls / elapsed) * 1000, callsPerCpuSec: (calls / cpu) * 1000, opsPerSec: (ops / elapsed) * 1000, seen: { original, a, b, c }, wrong };
}
