// Benchmark 1, call overhead: each workload built plain (-O3), patchable (unpatched and patched
// with the same code), with every hot call made indirect (the reference), and with its hot code
// left out of the patchable set; all run side by side in one process, interleaved. A process
// places the engine's machine code once, and where a hot loop lands moves a ratio by several
// percent for the whole process; so the ratios are medians over fresh processes.

import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { instantiate } from "@assemblyscript/loader";
import { isMain } from "../example/is-main.js";
import { Host } from "../host/core/host.js";
import { interleave, computeMedian, computePairedRatio } from "./stats.js";
import { WORKLOADS, buildHotPatch, buildIndirect, buildPlain, buildWithPatchable, type Workload } from "./workloads.js";

/** Ratios of one workload against its plain build (medians of per-round ratios). */
export interface OverheadResult {
  workload: string;
  title: string;
  /** Median CPU ms of one run of the plain build. */
  plainMs: number;
  unpatched: number;
  patched: Record<string, number>;
  /** Patched against unpatched, same build: what patching the hot function adds. */
  patchedVsUnpatched: Record<string, number>;
  /** Every call of the hot function made one call_indirect, in the plain build. */
  indirect: number;
  /** Patchable build with the hot code left out (label: ratio). */
  excluded: { label: string; ratio: number } | null;
  rounds: number;
  /** How many processes the medians are over, and the unpatched ratio in each. */
  processes: number;
  unpatchedByProcess: number[];
}

/** Runs the call-overhead benchmark; `quick` uses tiny sizes and few rounds. */
export async function measureCallOverhead(quick: boolean): Promise<OverheadResult[]> {
  const out: OverheadResult[] = [];
  for (const w of WORKLOADS) out.push(await measureWorkload(w, quick));
  return out;
}

/** Runs `measureCallOverhead` in `processes` fresh processes, one after the other; medians over them. */
export async function measureCallOverheadInProcesses(quick: boolean, processes: number): Promise<OverheadResult[]> {
  const runs: OverheadResult[][] = [];
  for (let i = 0; i < processes; i++) runs.push(await runChild(quick));
  return runs[0]!.map((first, w) => {
    const all = runs.map((r) => r[w]!);
    const med = (pick: (r: OverheadResult) => number) => computeMedian(all.map(pick));
    const byLabel = (pick: (r: OverheadResult) => Record<string, number>) =>
      Object.fromEntries(Object.keys(pick(first)).map((k) => [k, med((r) => pick(r)[k]!)]));
    return {
      ...first,
      plainMs: med((r) => r.plainMs), unpatched: med((r) => r.unpatched), indirect: med((r) => r.indirect),
      patched: byLabel((r) => r.patched), patchedVsUnpatched: byLabel((r) => r.patchedVsUnpatched),
      excluded: first.excluded ? { label: first.excluded.label, ratio: med((r) => r.excluded!.ratio) } : null,
      processes, unpatchedByProcess: all.map((r) => r.unpatched),
    };
  });
}

type Run = () => unknown;

async function measureWorkload(w: Workload, quick: boolean): Promise<OverheadResult> {
  const arg = quick ? w.quickArg : w.arg;
  const patchable = await buildWithPatchable(w);
  const variants: Record<string, Run> = {
    plain: makeRunner(await instantiatePlain(await buildPlain(w)), arg),
    indirect: makeRunner(await instantiatePlain(await buildIndirect(w)), arg),
    unpatched: makeRunner((await instantiateHost(patchable)).exports, arg),
  };
  for (const p of w.patches) {
    const host = await instantiateHost(patchable);
    await host.loadHP({ hp_bytes: await buildHotPatch(w, p, patchable) });
    variants[p.label] = makeRunner(host.exports, arg);
  }
  if (w.exclude) variants.excluded = makeRunner((await instantiateHost(await buildWithPatchable(w, true))).exports, arg);
  checkSameResults(w, variants);
  const rounds = quick ? 3 : 25;
  const samples = interleave(variants, rounds, quick ? 1 : 3);
  const ratio = (name: string) => computePairedRatio(samples[name]!, samples.plain!);
  return {
    workload: w.name,
    title: w.title,
    plainMs: computeMedian(samples.plain!),
    unpatched: ratio("unpatched"),
    patched: Object.fromEntries(w.patches.map((p) => [p.label, ratio(p.label)])),
    patchedVsUnpatched: Object.fromEntries(w.patches.map((p) => [p.label, computePairedRatio(samples[p.label]!, samples.unpatched!)])),
    indirect: ratio("indirect"),
    excluded: w.exclude ? { label: w.exclude.label, ratio: ratio("excluded") } : null,
    rounds, processes: 1, unpatchedByProcess: [ratio("unpatched")],
  };
}

const abort = (_m: number, _f: number, line: number, col: number) => {
  throw new Error(`abort at ${line}:${col}`);
};

async function instantiatePlain(bytes: Uint8Array): Promise<Record<string, any>> {
  return (await instantiate(bytes as BufferSource, { env: { abort } })).exports as Record<string, any>;
}

function instantiateHost(bytes: Uint8Array): Promise<Host> {
  return Host.instantiate(bytes, { env: { abort } });
}

function makeRunner(exports: Record<string, any>, arg: number): Run {
  const run = exports.run as (n: number) => unknown;
  return () => run(arg);
}

/** Every variant must compute the same result, or the comparison means nothing. */
function checkSameResults(w: Workload, variants: Record<string, Run>): void {
  const expected = variants.plain!();
  for (const [name, run] of Object.entries(variants)) {
    const got = run();
    if (got !== expected) throw new Error(`${w.name}: ${name} returned ${String(got)}, plain returned ${String(expected)}`);
  }
}

function runChild(quick: boolean): Promise<OverheadResult[]> {
  const args = [fileURLToPath(import.meta.url), ...(quick ? ["--quick"] : [])];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`call overhead child failed: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as OverheadResult[]);
    });
  });
}

// A child of measureCallOverheadInProcesses: the results as JSON on stdout.
if (isMain(import.meta.url)) process.stdout.write(JSON.stringify(await measureCallOverhead(process.argv.includes("--quick"))));
