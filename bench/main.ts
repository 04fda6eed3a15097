// `npm run bench`: runs every benchmark in one process, prints Markdown tables to stdout and writes
// the results as JSON (default bench/results/latest.json). `--quick` runs tiny sizes (smoke test).

import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Host } from "../host/core/host.js";
import { measureCallOverheadInProcesses } from "./call-overhead.js";
import { measureChurn } from "./churn.js";
import { buildGeneratedBase } from "./generated.js";
import { measureLoadLatency } from "./load-latency.js";
import { describeMachine } from "./machine.js";
import { measureMemory } from "./memory.js";
import { evaluateGoals, formatReport, type BenchResults } from "./report.js";
import { measureSwapPause } from "./swap-pause.js";
import { benchPoolPause } from "./pool-pause.js";
import { benchFleet } from "./fleet.js";
import { measureShadowFieldsInProcesses } from "./shadow-fields.js";
import { measureEditToPatch } from "./edit-to-patch.js";
import { findProjectRoot } from "./workloads.js";
import { isMain } from "../example/is-main.js";

/** Fresh processes the call-overhead ratios are medians over. */
const CALL_OVERHEAD_PROCESSES = 3;

/** Sizes of a full and a quick run. */
const PLANS = {
  full: {
    baseFunctions: 1000, swapSizes: [1, 10, 100, 1000], swapRepeats: 60, loadLarge: 1000, loadRepeats: 30,
    memoryCycles: 10_000, churnRates: [100, 500, 1000], churnMs: 50, churnRepeats: 150,
    fleet: { hosts: 50, rollouts: 5, idleSec: 60 },
  },
  quick: {
    baseFunctions: 100, swapSizes: [1, 10, 100], swapRepeats: 3, loadLarge: 100, loadRepeats: 3,
    memoryCycles: 200, churnRates: [1000], churnMs: 50, churnRepeats: 2,
    fleet: { hosts: 5, rollouts: 1, idleSec: 1 },
  },
};

/** Runs the benchmarks; returns the results (also printed and written). */
export async function runBench(argv: string[]): Promise<BenchResults> {
  const { values } = parseArgs({ args: argv, options: { quick: { type: "boolean", default: false }, out: { type: "string" } } });
  const quick = values.quick ?? false;
  const plan = quick ? PLANS.quick : PLANS.full;
  const machine = describeMachine();
  const started = performance.now();
  const step = (what: string) => process.stderr.write(`bench: ${what} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);

  step(`call overhead: building and running the workloads in ${quick ? 1 : CALL_OVERHEAD_PROCESSES} processes`);
  const callOverhead = await measureCallOverheadInProcesses(quick, quick ? 1 : CALL_OVERHEAD_PROCESSES);
  step(`generating a base with ${plan.baseFunctions} patchable functions`);
  const base = await buildGeneratedBase(plan.baseFunctions);
  const host = () => Host.instantiate(base, { env: { abort: () => { throw new Error("abort"); } } });
  step("swap pause");
  const swapPause = await measureSwapPause(await host(), plan.swapSizes, plan.swapRepeats);
  step("load latency");
  const sizes = [{ label: "small", functions: 1 }, { label: "large", functions: plan.loadLarge }];
  const loadLatency = await measureLoadLatency(await host(), sizes, plan.loadRepeats);
  step("memory");
  const memory = await measureMemory(await host(), plan.memoryCycles, quick ? 20 : 2000);
  step("churn");
  const repeated = plan.churnRates.map((cyclesPerSec) => ({ cyclesPerSec, freshBytes: false }));
  const churn = await measureChurn(await host(), repeated, plan.churnMs, plan.churnRepeats);
  // Apart, on a host of its own: compiling a new module per load leaves work behind (tier-up) that
  // would be charged to the windows after it.
  step("churn with new bytes each load");
  churn.push(...await measureChurn(await host(), [{ cyclesPerSec: 1000, freshBytes: true }], plan.churnMs, plan.churnRepeats));

  step("pool swap pause");
  const poolPause = await benchPoolPause({ workers: quick ? [1, 2] : [1, 2, 4], swaps: quick ? 5 : 100 });

  step("edit -> patch on the corpus (cold and warm diffs, dev saves, patch sizes)");
  const editToPatch = await measureEditToPatch({ programs: quick ? ["regex"] : ["regex", "json", "bigint", "bignum"], rounds: quick ? 1 : 3 });

  step("shadow fields and the free-object hook");
  const shadowFields = await measureShadowFieldsInProcesses(quick, quick ? 1 : CALL_OVERHEAD_PROCESSES);

  step(`fleet: ${plan.fleet.hosts} hosts on a nats-server`);
  const fleet = await benchFleet(base, plan.fleet);

  const partial = {
    machine, quick, command: `npm run bench${quick ? " -- --quick" : ""}`, durationSec: (performance.now() - started) / 1000,
    callOverhead, swapPause, loadLatency, memory, churn, poolPause, editToPatch, shadowFields, fleet,
  };
  const results: BenchResults = { ...partial, goals: evaluateGoals(partial) };
  const out = resolve(values.out ?? join(findProjectRoot(), "bench/results", quick ? "quick.json" : "latest.json"));
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(results, null, 2) + "\n");
  process.stdout.write(formatReport(results));
  step(`wrote ${out}`);
  return results;
}

if (isMain(import.meta.url)) await runBench(process.argv.slice(2));
