// The benchmark report: results of every benchmark, the goals of the issue checked against them,
// and Markdown tables for people.

import type { MachineInfo } from "./machine.js";
import { computeMedian } from "./stats.js";
import type { OverheadResult } from "./call-overhead.js";
import type { SwapPauseResult } from "./swap-pause.js";
import type { LoadLatencyResult } from "./load-latency.js";
import type { MemoryResult } from "./memory.js";
import type { ChurnResult } from "./churn.js";
import { formatPauseFigures, type PauseFigures } from "./pool-pause.js";
import { formatFleetFigures, type FleetBenchResult } from "./fleet.js";
import type { ShadowFieldResult } from "./shadow-fields.js";
import type { EditToPatchResult } from "./edit-to-patch.js";

/** Everything one `npm run bench` measured. */
export interface BenchResults {
  machine: MachineInfo;
  quick: boolean;
  command: string;
  durationSec: number;
  callOverhead: OverheadResult[];
  swapPause: SwapPauseResult[];
  loadLatency: LoadLatencyResult[];
  memory: MemoryResult;
  /** One result per churn rate. */
  churn: ChurnResult[];
  /** Pause per stop-the-world swap of a HostPool with 1, 2 and 4 busy workers. */
  poolPause: PauseFigures[];
  /** A shadow field against a plain field, and the free-object hook unpatched and patched. */
  shadowFields: ShadowFieldResult;
  /** Fleet rollout on a nats-server: convergence after a promotion, idle traffic (skipped without nats-server). */
  fleet: FleetBenchResult;
  /** Edit -> patch on vendored real programs. */
  editToPatch: EditToPatchResult;
  goals: Goal[];
}

/** One goal of the issue and whether this run met it. */
export interface Goal {
  benchmark: string;
  goal: string;
  measured: string;
  met: boolean;
}

/** Checks the goals against the results. */
export function evaluateGoals(r: Omit<BenchResults, "goals">): Goal[] {
  const goals: Goal[] = [];
  for (const w of r.callOverhead) {
    goals.push({ benchmark: `call overhead, ${w.workload}`, goal: "unpatched/plain <= 1.05", measured: formatNumber(w.unpatched, 3), met: w.unpatched <= 1.05 });
    const patched = w.patchedVsUnpatched.patched;
    if (patched !== undefined) {
      // What patching adds (patched/unpatched, same build) against what one indirect call per
      // call adds to the plain build (indirect/plain); 5 % margin for noise.
      goals.push({
        benchmark: `call overhead, ${w.workload}`, goal: "patched/unpatched <= indirect/plain (x1.05)",
        measured: `${formatNumber(patched, 3)} vs ${formatNumber(w.indirect, 3)}`, met: patched <= w.indirect * 1.05,
      });
    }
  }
  const hundred = r.swapPause.find((s) => s.functions === 100);
  if (hundred) goals.push({ benchmark: "swap pause", goal: "commit of 100 functions < 50 µs (computeMedian)", measured: `${formatNumber(hundred.commitMedianUs, 1)} µs`, met: hundred.commitMedianUs < 50 });
  const small = r.loadLatency.find((l) => l.functions === 1);
  if (small) goals.push({ benchmark: "load latency", goal: "small patch < 2 ms (computeMedian)", measured: `${formatNumber(small.totalMs, 3)} ms`, met: small.totalMs < 2 });
  for (const k of ["heapUsed", "rss", "wasm"] as const) {
    const g = r.memory.growth[k];
    goals.push({ benchmark: "memory", goal: `${k} growth < 1 MiB over ${r.memory.cycles} cycles`, measured: `${formatNumber(g, 3)} MiB`, met: r.memory.gc && g < 1 });
  }
  const churn = r.churn.find((c) => c.cyclesPerSecTarget === 1000 && !c.freshBytes);
  if (churn) goals.push({ benchmark: "churn", goal: "throughput loss (per CPU second) < 5 % at 1,000 load+unload cycles/s", measured: `${formatNumber(churn.loss * 100, 2)} %`, met: churn.loss < 0.05 });
  const wrong = r.churn.reduce((s, c) => s + c.wrong, 0);
  const calls = r.churn.reduce((s, c) => s + c.calls, 0);
  goals.push({ benchmark: "churn", goal: "zero wrong results", measured: `${wrong} of ${calls}`, met: wrong === 0 });
  const s = r.shadowFields;
  goals.push({ benchmark: "free-object hook", goal: "unpatched: with the hook / without <= 1.05", measured: formatNumber(s.hookVsNoHook, 3), met: s.hookVsNoHook <= 1.05 });
  if (!r.fleet.skipped) {
    goals.push({ benchmark: "fleet", goal: `${r.fleet.hosts} hosts ack the final generation < 5 s after a promotion (median)`, measured: `${formatNumber(r.fleet.convergeMedianMs, 0)} ms`, met: r.fleet.convergeMedianMs < 5000 });
  }
  goals.push(...editToPatchGoals(r.editToPatch));
  return goals;
}

/** The whole report as Markdown. */
export function formatReport(r: BenchResults): string {
  const m = r.machine;
  const out = [
    `# hotwasm benchmarks${r.quick ? " (quick: tiny sizes, not figures)" : ""}`,
    "",
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}; Node ${m.node} (V8 ${m.v8}); ${m.date}; load average ${m.loadAverage}; ${r.durationSec.toFixed(0)} s`,
    `Reproduce: \`${r.command}\``,
    "",
    `## 1. Call overhead (CPU time / plain -O3 CPU time, median of per-round ratios, median over ${r.callOverhead[0]?.processes ?? 1} processes)`,
    formatTable(["workload", "plain CPU ms", "unpatched (each process)", "patched", "patched / unpatched", "indirect reference", "hot code left out"], r.callOverhead.map((w) => [
      w.title, formatNumber(w.plainMs, 2), `${formatNumber(w.unpatched, 3)} (${w.unpatchedByProcess.map((v) => formatNumber(v, 3)).join(", ")})`,
      Object.entries(w.patched).map(([label, v]) => (label === "patched" ? formatNumber(v, 3) : `${formatNumber(v, 3)} (${label})`)).join("; "),
      Object.entries(w.patchedVsUnpatched).map(([label, v]) => (label === "patched" ? formatNumber(v, 3) : `${formatNumber(v, 3)} (${label})`)).join("; "),
      formatNumber(w.indirect, 3), w.excluded ? `${formatNumber(w.excluded.ratio, 3)} (${w.excluded.label})` : "",
    ])),
    "",
    "## 2. Swap pause (synchronous step, µs)",
    formatTable(["functions", "commit median", "commit p95", "unload median", "unload p95"], r.swapPause.map((s) => [
      String(s.functions), formatNumber(s.commitMedianUs, 1), formatNumber(s.commitP95Us, 1), formatNumber(s.unloadMedianUs, 1), formatNumber(s.unloadP95Us, 1),
    ])),
    "",
    "## 3. Load latency (bytes in hand -> live, median ms)",
    formatTable(["patch", "bytes", "validate", "compile", "instantiate", "commit", "total"], r.loadLatency.map((l) => [
      `${l.label} (${l.functions} fn)`, String(l.bytes), formatNumber(l.phases.validate, 3), formatNumber(l.phases.compile, 3),
      formatNumber(l.phases.instantiate, 3), formatNumber(l.phases.commit, 3), formatNumber(l.totalMs, 3),
    ])),
    "",
    `## 4. Memory (${r.memory.cycles} load/unload cycles, after forced GC${r.memory.gc ? "" : " — UNAVAILABLE, run node --expose-gc"}, MiB)`,
    formatTable(["", "JS heap", "RSS", "external", "Wasm memory"], (["before", "after", "growth"] as const).map((k) => [
      k, formatNumber(r.memory[k].heapUsed, 3), formatNumber(r.memory[k].rss, 3), formatNumber(r.memory[k].external, 3), formatNumber(r.memory[k].wasm, 3),
    ])),
    "",
    "## 5. Under churn (calls of a patched function while patches load on top of it and unload)",
    formatTable(["cycles/s asked", "loads+unloads/s done", "calls/CPU-s quiet", "calls/CPU-s churn", "loss (CPU)", "loss (wall)", "loss (CPU, median of rounds)", "calls checked", "wrong", "answers A / B / C"], r.churn.map((c) => [
      `${c.cyclesPerSecTarget}${c.freshBytes ? " (new bytes each load)" : ""}`, formatNumber(c.opsPerSecAchieved, 0), `${formatNumber(c.callsPerCpuSecQuiet / 1e6, 1)} M`, `${formatNumber(c.callsPerCpuSecChurn / 1e6, 1)} M`,
      `${formatNumber(c.loss * 100, 2)} %`, `${formatNumber(c.wallLoss * 100, 2)} %`, `${formatNumber(c.medianLoss * 100, 2)} %`, String(c.calls), String(c.wrong), `${c.seen.a} / ${c.seen.b} / ${c.seen.c}`,
    ])),
    "",
    "## 6. Pool swap pause (stop-the-world across busy workers, ms)",
    "```",
    formatPauseFigures(r.poolPause),
    "```",
    "",
    ...formatEditToPatch(r.editToPatch),
    `## 8. Shadow fields and the free-object hook (CPU time ratios, median of ${r.shadowFields.rounds} interleaved rounds, median over ${r.shadowFields.processes} processes)`,
    formatTable(["loop", "plain field (ms)", "shadow field (ms)", "shadow / plain (each process)", "extra per access"], [[
      `${r.shadowFields.iterations.toLocaleString("en")} iterations of two reads and a write`, formatNumber(r.shadowFields.plainMs, 2),
      formatNumber(r.shadowFields.shadowMs, 2), `${formatNumber(r.shadowFields.shadowVsPlain, 2)} (${r.shadowFields.shadowVsPlainByProcess.map((v) => formatNumber(v, 2)).join(", ")})`,
      `${formatNumber(r.shadowFields.extraNsPerAccess, 2)} ns`,
    ]]),
    "",
    formatTable(["loop", "hook unpatched / no hook", "hook unpatched / plain", "hook patched (shadow fields in force) / no hook"], [[
      `${r.shadowFields.objects.toLocaleString("en")} objects created and freed`, formatNumber(r.shadowFields.hookVsNoHook, 3),
      formatNumber(r.shadowFields.hookVsPlain, 3), formatNumber(r.shadowFields.hookPatchedVsNoHook, 3),
    ]]),
    "",
    "## 9. Fleet (staged rollout on nats-server)",
    ...formatFleetFigures(r.fleet),
    "",
    "## Goals",
    formatTable(["benchmark", "goal", "measured", "met"], r.goals.map((g) => [g.benchmark, g.goal, g.measured, g.met ? "yes" : "**no**"])),
  ];
  return out.join("\n") + "\n";
}

/** The goals of edit -> patch: cold diff < 3 s, dev save -> applied < 1 s, a one-literal patch <= 2 KiB, 20 of them in the arena. */
function editToPatchGoals(e: EditToPatchResult): Goal[] {
  const cold = computeMedian(e.cold.map((c) => c.wallMs));
  const literal = e.sizes.find((s) => s.program === e.program && s.edit === "new-helper");
  return [
    { benchmark: `edit -> patch, ${e.program} (${e.functions} functions)`, goal: "cold hotwasm diff < 3 s (median, wall)", measured: `${formatNumber(cold, 0)} ms (CPU ${formatNumber(computeMedian(e.cold.map((c) => c.cpuMs)), 0)} ms)`, met: cold < 3000 },
    { benchmark: `edit -> patch, ${e.program}`, goal: "warm hotwasm dev save -> applied < 1 s (median)", measured: `${formatNumber(e.devSave.medianMs, 0)} ms (CPU ${formatNumber(e.devSave.cpuMs, 0)} ms)`, met: e.devSave.medianMs < 1000 },
    { benchmark: `edit -> patch, ${e.program}`, goal: "one-function edit with one new literal: patch <= 2 KiB", measured: `${literal?.bytes ?? "n/a"} bytes`, met: (literal?.bytes ?? Infinity) <= 2048 },
    { benchmark: `edit -> patch, ${e.program}`, goal: "20 such patches stack in the default arena", measured: `${e.stack.loaded} of ${e.stack.patches} (${e.stack.arenaUsed} of ${e.stack.arenaSize} bytes)`, met: e.stack.loaded === e.stack.patches },
  ];
}

/** Section 7: edit -> patch. */
function formatEditToPatch(e: EditToPatchResult): string[] {
  const steps = [...new Set(e.cold.flatMap((c) => Object.keys(c.steps)))];
  const median = (f: (c: EditToPatchResult["cold"][number]) => number) => formatNumber(computeMedian(e.cold.map(f)), 0);
  return [
    `## 7. Edit -> patch on a real program (${e.program}, ${e.functions} functions; ms)`,
    `Cold \`hotwasm diff\` (a fresh process each, ${e.cold.length} runs over body-fix, new-helper, add-lines; median):`,
    formatTable(["process (wall)", "process (CPU)", ...steps], [[median((c) => c.wallMs), median((c) => c.cpuMs), ...steps.map((k) => median((c) => c.steps[k] ?? 0))]]),
    "",
    `Warm (in one process, as the dev loop runs them; ${e.warm.runs} diffs, median):`,
    formatTable(["diff (wall)", "diff (CPU)", ...Object.keys(e.warm.steps)], [[formatNumber(e.warm.wallMs, 0), formatNumber(e.warm.cpuMs, 0), ...Object.values(e.warm.steps).map((v) => formatNumber(v, 0))]]),
    "",
    `\`hotwasm dev\`: ${e.devSave.saves} saves, file written -> applied in a Node host: median ${formatNumber(e.devSave.medianMs, 0)} ms (CPU ${formatNumber(e.devSave.cpuMs, 0)} ms; diff ${formatNumber(e.devSave.buildMs, 0)} ms, load ${formatNumber(e.devSave.applyMs, 1)} ms; each: ${e.devSave.samples.join(", ")})`,
    "",
    "Patch sizes (bytes; static data the patch brings, the rest is the base's own):",
    formatTable(["program", "functions", "edit", "patch", "static data", "functions in the patch"], e.sizes.map((s) => [s.program, String(s.functions), s.edit, String(s.bytes), String(s.dataSize), String(s.changed)])),
    "",
    `Stacking: ${e.stack.loaded} of ${e.stack.patches} distinct copies of the ${e.stack.bytes}-byte one-literal patch in force at once, ${e.stack.arenaUsed} of the arena's ${e.stack.arenaSize} bytes used.`,
    "",
  ];
}

function formatTable(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

function formatNumber(v: number, digits: number): string {
  return Number.isFinite(v) ? v.toFixed(digits) : "n/a";
}
