// Edit -> patch on vendored real programs (test/fixtures/corpus): a cold `hotwasm diff` (a fresh
// process, as a user runs it), warm diffs in one process (as the dev loop runs them), a save in
// `hotwasm dev` until a Node host has applied it, each with its time split into steps; the size
// of every edit's patch; and how many one-literal patches stack in the default arena.

import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildPatchable } from "../compiler/base/build.js";
import { buildDiff } from "../compiler/diff/build-diff.js";
import { withAnalysis } from "../compiler/diff/embed-analysis.js";
import { appendCustomSection } from "../compiler/common/custom-section.js";
import { startDevServer } from "../dev/dev-server.js";
import { connectDevServer } from "../host/dev/dev-client.js";
import { Host } from "../host/core/host.js";
import { computeMedian } from "./stats.js";
import { findProjectRoot } from "./workloads.js";

/** The edits a patch applies, in the corpus's order. */
const EDITS = ["body-fix", "new-helper", "add-lines"] as const;

/** What was measured. */
export interface EditToPatchResult {
  /** The program the times are of, and its number of functions. */
  program: string;
  functions: number;
  /** Each cold `hotwasm diff`: wall and CPU time of the process, its steps (ms), the patch's size. */
  cold: { edit: string; wallMs: number; cpuMs: number; steps: Record<string, number>; bytes: number }[];
  /** Warm diffs in one process: median wall and CPU ms, and the median of each step. */
  warm: { runs: number; wallMs: number; cpuMs: number; steps: Record<string, number> };
  /** Saves in `hotwasm dev` until applied in a Node host: median ms overall (wall and CPU of the process), of the diff, of the load. */
  devSave: { saves: number; medianMs: number; cpuMs: number; buildMs: number; applyMs: number; samples: number[] };
  /** Every edit's patch on every program measured. */
  sizes: { program: string; functions: number; edit: string; bytes: number; dataSize: number; changed: number }[];
  /** One-literal patches of `program` loaded together into one host with the default arena. */
  stack: { patches: number; loaded: number; arenaUsed: number; arenaSize: number; bytes: number };
}

/** Runs everything on regex (times) and on `programs` (sizes); `rounds` repeats of each timing. */
export async function measureEditToPatch(o: { programs: string[]; rounds: number }): Promise<EditToPatchResult> {
  const root = findProjectRoot();
  const dir = await copyProgram(root, "regex");
  try {
    const base = await buildPatchable({ cwd: dir, outFile: "build/app.wasm", finish: withAnalysis });
    const cold = await measureCold(root, dir, o.rounds);
    const warm = await measureWarm(base.binary, dir, o.rounds);
    const devSave = await measureDevSaves(dir, Math.max(2, o.rounds * 3));
    const sizes = [];
    for (const name of o.programs) sizes.push(...await measureSizes(root, name));
    const stack = await measureStack(base.binary, dir, 20);
    return { program: "regex", functions: base.manifest!.functions.length, cold, warm, devSave, sizes, stack };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Fresh processes, one per edit and round. */
async function measureCold(root: string, dir: string, rounds: number): Promise<EditToPatchResult["cold"]> {
  const runner = join(root, "dist/bench/cold-diff-runner.js");
  const out: EditToPatchResult["cold"] = [];
  for (let round = 0; round < rounds; round++) {
    for (const edit of EDITS) {
      const restore = await applyEdit(dir, "regex", root, edit);
      const started = performance.now();
      const { stdout, stderr } = await run(process.execPath, [runner, "diff", "--base", "build/app.wasm", "-o", "build/cold.wasm", "--json"], dir);
      const wallMs = performance.now() - started;
      await restore();
      const summary = JSON.parse(stdout) as { timings: Record<string, number>; bytes: number };
      const cpuMs = (JSON.parse(stderr.trim().split("\n").at(-1)!) as { cpu_ms: number }).cpu_ms;
      out.push({ edit, wallMs, cpuMs, steps: summary.timings, bytes: summary.bytes });
    }
  }
  return out;
}

/** Diffs in this process after two to warm up, alternating the edits. */
async function measureWarm(base: Uint8Array, dir: string, rounds: number): Promise<EditToPatchResult["warm"]> {
  const root = findProjectRoot();
  const edits = await Promise.all(EDITS.map((e) => editFiles(root, "regex", e)));
  const samples: { wall: number; cpu: number; steps: Record<string, number> }[] = [];
  for (let i = 0; i < 2 + rounds * EDITS.length; i++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const { timings } = await buildDiff({ base, cwd: dir, files: edits[i % EDITS.length] });
    const used = process.cpuUsage(cpu);
    if (i >= 2) samples.push({ wall: performance.now() - started, cpu: (used.user + used.system) / 1000, steps: timings });
  }
  const steps: Record<string, number> = {};
  for (const key of Object.keys(samples[0]!.steps)) steps[key] = computeMedian(samples.map((s) => s.steps[key] ?? 0));
  return { runs: samples.length, wallMs: computeMedian(samples.map((s) => s.wall)), cpuMs: computeMedian(samples.map((s) => s.cpu)), steps };
}

/** `hotwasm dev` in this process and a Node host following it: from writing the file to the host's "applied". */
async function measureDevSaves(dir: string, saves: number): Promise<EditToPatchResult["devSave"]> {
  const root = findProjectRoot();
  const server = await startDevServer({ cwd: dir, port: 0, log: () => {} });
  const host = await Host.instantiate(await (await fetch(`${server.url}/__hotwasm/app.wasm`)).arrayBuffer());
  let onApplied: ((s: { build: number; apply: number }) => void) | null = null;
  const client = connectDevServer(host, {
    url: server.url, name: "bench", retryMs: 100,
    onStatus: (s) => { if (s.type === "applied" && onApplied) onApplied({ build: s.patch.build_ms, apply: s.apply_ms }); },
  });
  try {
    await client.ready;
    await server.session.idle();
    const file = join(dir, "assembly/regexp.ts");
    const texts = await Promise.all(["body-fix", "new-helper"].map(async (e) => (await editFiles(root, "regex", e))["assembly/regexp.ts"]!));
    const samples: { total: number; cpu: number; build: number; apply: number }[] = [];
    for (let i = 0; i < saves; i++) {
      const applied = new Promise<{ build: number; apply: number }>((resolve) => (onApplied = resolve));
      const cpu = process.cpuUsage();
      const started = performance.now();
      await writeFile(file, texts[i % texts.length]!);
      const { build, apply } = await applied;
      const used = process.cpuUsage(cpu);
      samples.push({ total: performance.now() - started, cpu: (used.user + used.system) / 1000, build, apply });
    }
    return {
      saves, medianMs: computeMedian(samples.map((s) => s.total)), cpuMs: computeMedian(samples.map((s) => s.cpu)), buildMs: computeMedian(samples.map((s) => s.build)),
      applyMs: computeMedian(samples.map((s) => s.apply)), samples: samples.map((s) => Math.round(s.total)),
    };
  } finally {
    client.close();
    await server.close();
  }
}

/** Each edit's patch against a fresh -O3 base of `name`. */
async function measureSizes(root: string, name: string): Promise<EditToPatchResult["sizes"]> {
  const dir = await copyProgram(root, name);
  try {
    const base = await buildPatchable({ cwd: dir, outFile: false });
    const out: EditToPatchResult["sizes"] = [];
    for (const edit of EDITS) {
      const { patch, report } = await buildDiff({ base: base.binary, cwd: dir, files: await editFiles(root, name, edit) });
      out.push({ program: name, functions: base.manifest!.functions.length, edit, bytes: patch!.binary.length, dataSize: patch!.meta.link!.data_size, changed: report.changed.length });
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `count` distinct copies of the one-literal patch, loaded together. */
async function measureStack(base: Uint8Array, dir: string, count: number): Promise<EditToPatchResult["stack"]> {
  const { patch } = await buildDiff({ base, cwd: dir, files: await editFiles(findProjectRoot(), "regex", "new-helper") });
  const host = await Host.instantiate(base);
  let loaded = 0;
  for (let i = 0; i < count; i++) {
    try {
      await host.loadHP({ hp_bytes: appendCustomSection(patch!.binary, "nonce", new Uint8Array([i])) });
      loaded++;
    } catch {
      break;
    }
  }
  const arenaUsed = host.getHPInfo().reduce((n, p) => n + (p.data ?? []).reduce((m, r) => m + r.end - r.start, 0), 0);
  return { patches: count, loaded, arenaUsed, arenaSize: host.manifest.arena.size, bytes: patch!.binary.length };
}

/** A copy of a corpus program (without its edits) with an asconfig.json: entry.ts, -O3. */
async function copyProgram(root: string, name: string): Promise<string> {
  const from = join(root, "test/fixtures/corpus", name);
  const dir = await mkdtemp(join(tmpdir(), `hotwasm-bench-${name}-`));
  await cp(from, dir, { recursive: true, filter: (src) => src !== join(from, "edits") });
  await writeFile(join(dir, "asconfig.json"), JSON.stringify({ entries: ["entry.ts"], targets: { release: { optimizeLevel: 3 } } }));
  return dir;
}

/** The files of an edit, by path relative to the program. */
async function editFiles(root: string, name: string, edit: string): Promise<Record<string, string>> {
  const from = join(root, "test/fixtures/corpus", name, "edits", edit);
  const out: Record<string, string> = {};
  for (const file of (await readdir(from, { recursive: true })).map(String)) {
    if (file.endsWith(".ts") && (await stat(join(from, file))).isFile()) out[file] = await readFile(join(from, file), "utf8");
  }
  return out;
}

/** Writes an edit's files into the copy; resolves to what puts the originals back. */
async function applyEdit(dir: string, name: string, root: string, edit: string): Promise<() => Promise<void>> {
  const files = await editFiles(root, name, edit);
  const originals = await Promise.all(Object.keys(files).map(async (f) => [f, await readFile(join(dir, f), "utf8")] as const));
  for (const [f, text] of Object.entries(files)) await writeFile(join(dir, f), text);
  return async () => { for (const [f, text] of originals) await writeFile(join(dir, f), text); };
}

function run(cmd: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, maxBuffer: 1 << 24 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve({ stdout, stderr })));
  });
}
