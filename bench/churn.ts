// Benchmark 5, under churn: a loop calls the patched function `hot` (patch A in force) as fast as
// it can, in slices that yield to the event loop, while patches B and C load on top of A and
// unload again at a fixed rate through the async API. Calls per second against the same loop
// without churn; every answer is checked in Wasm against the versions that may be in force, at the
// same cost whichever version answered (else the churn would be charged for the checking).
// A case with `freshBytes` gives every load bytes the host has never seen (a unique custom
// section), so no cache helps: every load is read, hashed, compiled and instantiated.

import type { Host } from "../host/core/host.js";
import { makeHotPatch, HOT_VERSIONS } from "./generated.js";
import { readCpuMs, computeMedian, computePairedRatio } from "./stats.js";

/** Which version answered how many calls. */
export interface Answers {
  original: number;
  a: number;
  b: number;
  c: number;
}

/** One churn case: a rate, and whether each load brings bytes never seen before. */
export interface ChurnCase {
  cyclesPerSec: number;
  freshBytes: boolean;
}

/** Churn against no churn, medians over paired repeats. */
export interface ChurnResult {
  /** Load+unload cycles per second asked for. */
  cyclesPerSecTarget: number;
  /** Every load had new bytes (no cache could help). */
  freshBytes: boolean;
  /** Loads and unloads per second done (twice the cycles when the host keeps up). */
  opsPerSecAchieved: number;
  /** Calls per second of wall time. */
  callsPerSecQuiet: number;
  callsPerSecChurn: number;
  /** Calls per second of the process's CPU time (all threads: compilation and GC count too). */
  callsPerCpuSecQuiet: number;
  callsPerCpuSecChurn: number;
  /** 1 - churn/quiet calls per CPU second, over all repeats (calls summed, CPU time summed). */
  loss: number;
  /** The same from wall time, which other work on the machine skews. */
  wallLoss: number;
  /** 1 - the median over rounds of churn/quiet calls per CPU second (noisier: one 50 ms window each). */
  medianLoss: number;
  calls: number;
  wrong: number;
  /** Answers under churn: A while only A is in force, B or C while one of them is on top; never the original. */
  seen: Answers;
  durationMs: number;
  repeats: number;
}

interface LoopRun {
  calls: number;
  wallMs: number;
  cpuMs: number;
  callsPerSec: number;
  callsPerCpuSec: number;
  opsPerSec: number;
  seen: Answers;
  wrong: number;
}

const SLICE_CALLS = 20_000;
const WARM_UP_MS = 300;
const WARM_UP_CYCLES = 5000;
const REPLACE = { replace_config: { hot: "main.hot" } };

/**
 * Runs windows of `durationMs`, quiet and then one per rate, `repeats` rounds: every rate is
 * compared with the quiet windows of the same rounds, so the machine's drifts hit all alike.
 */
export async function measureChurn(host: Host, cases: ChurnCase[], durationMs: number, repeats: number): Promise<ChurnResult[]> {
  const base = await host.loadHP({ hp_bytes: makeHotPatch(HOT_VERSIONS.a), ...REPLACE });
  const quiet: LoopRun[] = [];
  const churn: LoopRun[][] = cases.map(() => []);
  // Warm-up, so that the windows measure steady state and not the JIT: at 1,000 cycles a second the
  // host's code takes thousands of cycles to be optimised, which would be charged to the churn.
  const warm = [makeHotPatch(HOT_VERSIONS.b), makeHotPatch(HOT_VERSIONS.c)];
  for (let i = 0; i < Math.min(WARM_UP_CYCLES, repeats * 100); i++) await host.unloadHP(await host.loadHP({ hp_bytes: warm[i % 2]!, ...REPLACE }));
  for (const c of cases) await runLoop(host, WARM_UP_MS, c); // the loop's own tier-up
  for (let r = 0; r < repeats; r++) {
    quiet.push(await runLoop(host, durationMs, QUIET));
    for (const [i, c] of cases.entries()) churn[i]!.push(await runLoop(host, durationMs, c));
  }
  await host.unloadHP(base);
  const quietWrong = quiet.reduce((s, x) => s + x.wrong + x.seen.original + x.seen.b + x.seen.c, 0);
  if (quietWrong > 0) throw new Error(`churn benchmark: ${quietWrong} calls without churn did not give patch A's answer`);
  return cases.map((c, i) => summarise(c, quiet, churn[i]!, durationMs, repeats));
}

function summarise({ cyclesPerSec, freshBytes }: ChurnCase, quiet: LoopRun[], churn: LoopRun[], durationMs: number, repeats: number): ChurnResult {
  const sum = (k: keyof Answers) => churn.reduce((s, x) => s + x.seen[k], 0);
  const seen = { original: sum("original"), a: sum("a"), b: sum("b"), c: sum("c") };
  // Calls and clock time summed over the windows, not a median of noisy short windows.
  const ratio = rateOf(churn, "cpuMs") / rateOf(quiet, "cpuMs");
  const wallRatio = rateOf(churn, "wallMs") / rateOf(quiet, "wallMs");
  return {
    cyclesPerSecTarget: cyclesPerSec,
    freshBytes,
    opsPerSecAchieved: computeMedian(churn.map((x) => x.opsPerSec)),
    callsPerSecQuiet: rateOf(quiet, "wallMs") * 1000,
    callsPerSecChurn: rateOf(churn, "wallMs") * 1000,
    callsPerCpuSecQuiet: rateOf(quiet, "cpuMs") * 1000,
    callsPerCpuSecChurn: rateOf(churn, "cpuMs") * 1000,
    loss: 1 - ratio,
    wallLoss: 1 - wallRatio,
    medianLoss: 1 - computePairedRatio(churn.map((x) => x.callsPerCpuSec), quiet.map((x) => x.callsPerCpuSec)),
    calls: churn.reduce((s, x) => s + x.calls, 0),
    // A stays in force throughout, so the base's own answer is as wrong as one for another argument.
    wrong: churn.reduce((s, x) => s + x.wrong + x.seen.original, 0),
    seen, durationMs, repeats,
  };
}

/** Calls per ms of `clock` over all runs. */
function rateOf(runs: LoopRun[], clock: "cpuMs" | "wallMs"): number {
  return runs.reduce((s, r) => s + r.calls, 0) / runs.reduce((s, r) => s + r[clock], 0);
}

async function runLoop(host: Host, durationMs: number, { cyclesPerSec, freshBytes }: ChurnCase): Promise<LoopRun> {
  const x = host.exports;
  const counters = [x.seenOriginal, x.seenA, x.seenB, x.seenC, x.wrong] as WebAssembly.Global[];
  for (const g of counters) g.value = 0;
  const versions = [makeHotPatch(HOT_VERSIONS.b), makeHotPatch(HOT_VERSIONS.c)];
  // Made before the clock starts: the churn is charged for loading patches, not for making them.
  const loads = Math.ceil((durationMs * cyclesPerSec) / 1000) + 2;
  const patches = freshBytes ? Array.from({ length: loads }, (_, i) => withNonce(versions[i % 2]!, ++nonce)) : versions;
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
      const bytes = patches[(ops >> 1) % patches.length]!;
      const op: Promise<unknown> = loaded
        ? host.unloadHP(loaded).then(() => { loaded = null; })
        : host.loadHP({ hp_bytes: bytes, ...REPLACE }).then((id) => { loaded = id; });
      pending = op.then(() => { ops++; pending = null; });
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const elapsed = performance.now() - started;
  const cpu = readCpuMs() - cpuStarted;
  await pending;
  if (loaded) await host.unloadHP(loaded);
  const [original, a, b, c, wrong] = counters.map((g) => g.value as number) as [number, number, number, number, number];
  const calls = original + a + b + c; // every call has exactly one tag; `wrong` counts those for another argument
  return { calls, wallMs: elapsed, cpuMs: cpu, callsPerSec: (calls / elapsed) * 1000, callsPerCpuSec: (calls / cpu) * 1000, opsPerSec: (ops / elapsed) * 1000, seen: { original, a, b, c }, wrong };
}

const QUIET: ChurnCase = { cyclesPerSec: 0, freshBytes: false };
let nonce = 0;

/** `bytes` with a custom section "nonce" holding `n`: other bytes, the same module. */
function withNonce(bytes: Uint8Array, n: number): Uint8Array {
  const payload = [1, 0x6e, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]; // name "n", then n (opaque bytes)
  return Uint8Array.from([...bytes, 0, payload.length, ...payload]);
}
