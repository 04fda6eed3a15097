// Benchmark 7, shadow fields (issue 16). (a) The cost of a shadow field: the same loop reading and
// writing a field, compiled as a plain field (a plain build of the edited source) and as a shadow
// field (the base patched by `hotwasm diff` of that edit). (b) The free-object hook unpatched: a
// loop creating and dropping objects, built patchable with the hook and without it (and plain).
// Variants run interleaved in one process; ratios are medians of per-round CPU-time ratios, and
// medians again over fresh processes (where the engine places a hot loop moves a whole process).

import { instantiate } from "@assemblyscript/loader";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { isMain } from "../example/is-main.js";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { buildPatchable } from "../compiler/base/build.js";
import { buildDiff } from "../compiler/diff/build-diff.js";
import { Host } from "../host/core/host.js";
import { computeMedian, computePairedRatio, interleave } from "./stats.js";
import { findProjectRoot } from "./workloads.js";

/** What the benchmark measured. */
export interface ShadowFieldResult {
  /** Field loop iterations per run (two reads and a write each). */
  iterations: number;
  /** Median CPU ms of a run with a plain field, and with the shadow field. */
  plainMs: number;
  shadowMs: number;
  /** Shadow / plain, median of per-round ratios. */
  shadowVsPlain: number;
  /** Extra ns per access (a read or a write) of the shadow field. */
  extraNsPerAccess: number;
  /** Objects created and dropped per run of the churn loop. */
  objects: number;
  /** Patchable with the hook / patchable without it, and with the hook / plain. */
  hookVsNoHook: number;
  hookVsPlain: number;
  /** The hook patched (a patch with shadow fields in force) / patchable without it. */
  hookPatchedVsNoHook: number;
  rounds: number;
  /** How many processes the medians are over, and shadow / plain in each. */
  processes: number;
  shadowVsPlainByProcess: number[];
}

/** Runs `measureShadowFields` in `processes` fresh processes, one after the other; medians over them. */
export async function measureShadowFieldsInProcesses(quick: boolean, processes: number): Promise<ShadowFieldResult> {
  const runs: ShadowFieldResult[] = [];
  for (let i = 0; i < processes; i++) runs.push(await runChild(quick));
  const med = (pick: (r: ShadowFieldResult) => number) => computeMedian(runs.map(pick));
  return {
    ...runs[0]!,
    plainMs: med((r) => r.plainMs), shadowMs: med((r) => r.shadowMs), shadowVsPlain: med((r) => r.shadowVsPlain),
    extraNsPerAccess: med((r) => r.extraNsPerAccess), hookVsNoHook: med((r) => r.hookVsNoHook), hookVsPlain: med((r) => r.hookVsPlain),
    hookPatchedVsNoHook: med((r) => r.hookPatchedVsNoHook), processes, shadowVsPlainByProcess: runs.map((r) => r.shadowVsPlain),
  };
}

const ENTRY = "bench/assembly/shadow.ts";
const CELLS = 1024;

/** The edit: a new field `hits`, read and written by the loop instead of `count`. */
function editSource(source: string): string {
  return source
    .replace("  count: i32 = 0;", "  count: i32 = 0;\n  hits: i32 = 0;")
    .replace("    cell.count += 1;\n    sum += cell.count;", "    cell.hits += 1;\n    sum += cell.hits;");
}

/** Runs both parts; `quick` uses tiny sizes. */
export async function measureShadowFields(quick: boolean): Promise<ShadowFieldResult> {
  const cwd = findProjectRoot();
  const source = await readFile(join(cwd, ENTRY), "utf8");
  const edited = editSource(source);
  if (edited === source) throw new Error("the shadow-field bench edit no longer applies to bench/assembly/shadow.ts");
  const build = async (files: Record<string, string>, o: { plain?: boolean; finalizeHook?: boolean } = {}) =>
    (await buildPatchable({ cwd, entries: [ENTRY], files, outFile: false, config: false, ascArgs: ["-O3"], ...o })).binary;
  const base = await build({ [ENTRY]: source });
  const diff = await buildDiff({ base, cwd, files: { [ENTRY]: edited } });
  if (!diff.patch || diff.report.fields.length !== 1) throw new Error("the shadow-field bench edit did not give one shadow field");

  const plainEdited = await plainExports(await build({ [ENTRY]: edited }, { plain: true }));
  const patched = await Host.instantiate(base);
  await patched.loadHP({ hp_bytes: diff.patch.binary });
  for (const x of [plainEdited, patched.exports]) x.setup(CELLS);
  const iterations = quick ? 10_000 : 5_000_000;
  const rounds = quick ? 3 : 15;
  const fieldRuns = { plain: () => plainEdited.fields(iterations), shadow: () => patched.exports.fields(iterations) };
  if (fieldRuns.plain() !== fieldRuns.shadow()) throw new Error("plain and shadow field loops disagree");
  const f = interleave(fieldRuns, rounds, quick ? 1 : 2);

  const objects = quick ? 10_000 : 1_000_000;
  const withHook = await Host.instantiate(base);
  const withoutHook = await Host.instantiate(await build({ [ENTRY]: source }, { finalizeHook: false }));
  const plain = await plainExports(await build({ [ENTRY]: source }, { plain: true }));
  const churnRuns = {
    hook: () => withHook.exports.churn(objects),
    noHook: () => withoutHook.exports.churn(objects),
    plain: () => plain.churn(objects),
    hookPatched: () => patched.exports.churn(objects),
  };
  const c = interleave(churnRuns, rounds, quick ? 1 : 2);
  const accesses = iterations * 3;
  return {
    iterations, plainMs: computeMedian(f.plain), shadowMs: computeMedian(f.shadow), shadowVsPlain: computePairedRatio(f.shadow, f.plain),
    extraNsPerAccess: ((computeMedian(f.shadow) - computeMedian(f.plain)) * 1e6) / accesses,
    objects, hookVsNoHook: computePairedRatio(c.hook, c.noHook), hookVsPlain: computePairedRatio(c.hook, c.plain),
    hookPatchedVsNoHook: computePairedRatio(c.hookPatched, c.noHook), rounds, processes: 1, shadowVsPlainByProcess: [computePairedRatio(f.shadow, f.plain)],
  };
}

async function plainExports(bytes: Uint8Array): Promise<Record<string, any>> {
  return (await instantiate(bytes as BufferSource, { env: { abort: () => { throw new Error("abort"); } } })).exports as Record<string, any>;
}

function runChild(quick: boolean): Promise<ShadowFieldResult> {
  const args = ["--expose-gc", fileURLToPath(import.meta.url), ...(quick ? ["--quick"] : [])];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`shadow-field bench child failed: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as ShadowFieldResult);
    });
  });
}

// A child of measureShadowFieldsInProcesses: the results as JSON on stdout.
if (isMain(import.meta.url)) process.stdout.write(JSON.stringify(await measureShadowFields(process.argv.includes("--quick"))));
