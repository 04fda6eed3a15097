// `hotwasm fleet push | rollout | status | promote | rollback | controller`: staged rollout of
// patches to many hosts through a NATS JetStream engine. A thin shell over hotwasm/fleet.

import type { Command } from "commander";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describeError, isHotwasmError } from "../../host/index.js";
import {
  FleetController, buildSteps, formatFleetStatus, parseDuration, promoteRollout, pushPatch, readFleetStatus, readPatchFacts, requestRollback,
  setUpFleet, startRollout, type FleetEngine, type PatchItem, type Transition,
} from "../../host/fleet/index.js";
import { parsePairs } from "../admin-options.js";
import { addEngineOptions, engineOptionsFrom, openEngineFrom, type EngineFlags } from "../fleet-options.js";
import { collect, CliUsageError, type CliIo } from "../io.js";

type BuildFlags = EngineFlags & { build?: string };

/** Adds the fleet command and its subcommands. */
export function registerFleet(program: Command, io: CliIo): void {
  const fleet = program.command("fleet").description("roll patches out to many hosts, in stages, through a NATS JetStream engine (see docs/fleet.md)");
  addEngineOptions(fleet.command("push").description("store a patch in the fleet's patch store; prints its sha256").argument("<patch>", "the patch file"))
    .option("--replicas <n>", "replicas of the fleet's buckets if they are created now (3 on a cluster)", "1")
    .action(async (file: string, opts: EngineFlags & { replicas: string }) => withEngine(opts, io, async (engine) => {
      await setUpFleet(engine, { replicas: whole("--replicas", opts.replicas, 5) });
      const pushed = await pushPatch(engine, await readLocal(file, io));
      io.out(pushed.sha256);
      io.err(`${pushed.stored ? "stored" : "already stored"}: ${pushed.size} bytes${pushed.build_id ? `, for build ${pushed.build_id}` : ""}${pushed.key_id ? `, signed by ${pushed.key_id}` : ", unsigned"}`);
    }));
  addEngineOptions(fleet.command("rollout").description("roll a patch out: a canary share first, then waves; rolled back on the first refusal or trap")
    .argument("<patch>", "the patch file (pushed if needed), or the sha256 of a pushed patch"))
    .option("--build <id>", "the base build (default: the patch's own, else the only build in the fleet)")
    .option("--canary <share>", "share of live hosts in the first step", "10%")
    .option("--then <shares>", "the following steps, comma-separated (a last 100% is added)", "100%")
    .option("--hold <duration>", "how long each step runs on all its hosts before the next (e.g. 60s; manual: until hotwasm fleet promote)", "60s")
    .option("--step-deadline <duration>", "roll back when a step's hosts have not all acked within this", "120s")
    .option("--trap-limit <n>", "traps of the new patch tolerated over the fleet before it is rolled back", "0")
    .option("--replace <export=symbol>", "replace_config entry (repeatable)", collect, [])
    .option("--ref <name=symbol>", "ref_config entry (repeatable)", collect, [])
    .option("--max-traps <n>", "trap containment on each host: roll the patch back there after more than N traps ...")
    .option("--trap-window-ms <ms>", "... within this many milliseconds (default 60000)")
    .option("--id <rollout-id>", "the rollout's id (default: made from the time)")
    .addHelpText("after", `
Examples:
  $ hotwasm fleet rollout build/fix.wasm --canary 10% --then 50%,100% --hold 60s
  $ hotwasm fleet rollout build/fix.wasm --canary 5% --hold manual      # then: hotwasm fleet promote
  $ HOTWASM_FLEET=nats://n1:4222,nats://n2:4222,nats://n3:4222 hotwasm fleet status`)
    .option("--replicas <n>", "replicas of the fleet's buckets if they are created now (3 on a cluster)", "1")
    .action(async (patch: string, opts: BuildFlags & RolloutFlags & { replicas: string }) => {
      const steps = usage(() => buildSteps(opts.canary, opts.then, opts.hold));
      const deadline = usage(() => parseDuration(opts.stepDeadline));
      const maxTraps = whole("--trap-limit", opts.trapLimit, 1_000_000);
      const replicas = whole("--replicas", opts.replicas, 5);
      await withEngine(opts, io, async (engine) => {
        await setUpFleet(engine, { replicas });
        const item = await patchItemFrom(engine, patch, opts, io);
        const build = opts.build ?? item.build ?? (await onlyBuild(engine));
        const spec = await startRollout(engine, {
          build_id: build, patch: item.item, steps, max_traps: maxTraps, step_deadline_ms: deadline, ...(opts.id !== undefined ? { rollout_id: opts.id } : {}),
        });
        io.out(spec.rollout_id);
        io.err(`rollout ${spec.rollout_id} of ${item.item.sha256.slice(0, 12)} on build ${build}: ${spec.steps.map((s) => `${s.pct}%`).join(" → ")}, hold ${opts.hold}; the controller takes it from here`);
      });
    });
  addEngineOptions(fleet.command("status").description("per build its rollout, per host its patches and last result"))
    .option("--build <id>", "only this build")
    .option("--json", "print the status as JSON")
    .action(async (opts: BuildFlags & { json?: boolean }) => withEngine(opts, io, async (engine) => {
      const status = await readFleetStatus(engine, opts.build);
      io.out(opts.json ? JSON.stringify(status, null, 2) : formatFleetStatus(status));
    }));
  addEngineOptions(fleet.command("promote").description("let the rollout go past the hold of the step it is in"))
    .option("--build <id>", "the base build (default: the only build in the fleet)")
    .action(async (opts: BuildFlags) => withEngine(opts, io, async (engine) => {
      const { spec, step } = await promoteRollout(engine, opts.build ?? (await onlyBuild(engine)));
      io.out(`promoted rollout ${spec.rollout_id} past step ${step + 1}`);
    }));
  addEngineOptions(fleet.command("rollback").description("roll the build's rollout back on every host (a done one too)"))
    .option("--build <id>", "the base build (default: the only build in the fleet)")
    .option("--reason <text>", "why, for the audit", "asked by an operator")
    .action(async (opts: BuildFlags & { reason: string }) => withEngine(opts, io, async (engine) => {
      const spec = await requestRollback(engine, opts.build ?? (await onlyBuild(engine)), opts.reason);
      io.out(`rolling back rollout ${spec.rollout_id}`);
    }));
  addEngineOptions(fleet.command("controller").description("run the controller that drives every rollout (one acts at a time; more stand by)"))
    .option("--id <name>", "this controller's name in leases and the audit (default: machine, pid, random)")
    .option("--tick <duration>", "time between two full passes", "2s")
    .option("--lease <duration>", "a controller's lease; a successor of a killed one waits this long", "15s")
    .option("--replicas <n>", "replicas of the fleet's buckets if they are created now (3 on a cluster)", "1")
    .option("--presence-ttl <duration>", "a host is gone when it has not refreshed its presence for this long (set when created)", "30s")
    .action(async (opts: EngineFlags & { id?: string; tick: string; lease: string; replicas: string; presenceTtl: string }) => {
      const controller = await FleetController.start({
        engine: await engineOptionsFrom(opts, io), tickMs: usage(() => parseDuration(opts.tick)), leaseMs: usage(() => parseDuration(opts.lease)),
        layout: { replicas: whole("--replicas", opts.replicas, 5), presenceTtlMs: usage(() => parseDuration(opts.presenceTtl)) },
        ...(opts.id !== undefined ? { id: opts.id } : {}), log: (line) => io.out(`hotwasm fleet ${line}`), onStep: testPause(io),
      });
      io.out(`hotwasm fleet controller: running as ${controller.id}`);
      await new Promise<void>((done) => {
        process.once("SIGINT", done);
        process.once("SIGTERM", done);
      });
      await controller.close();
    });
  for (const cmd of fleet.commands) cmd.exitOverride().configureOutput(program.configureOutput());
}

interface RolloutFlags {
  canary: string; then: string; hold: string; stepDeadline: string; trapLimit: string; replace: string[]; ref: string[];
  maxTraps?: string; trapWindowMs?: string; id?: string;
}

/** The rollout's patch item: a file (pushed if needed) or a pushed patch's sha256, with the config given. */
async function patchItemFrom(engine: FleetEngine, patch: string, opts: RolloutFlags, io: CliIo): Promise<{ item: PatchItem; build: string | null }> {
  let sha256 = patch;
  let build: string | null = null;
  if (!/^[0-9a-f]{64}$/.test(patch) || existsSync(resolve(io.cwd, patch))) {
    const bytes = await readLocal(patch, io);
    build = readPatchFacts(bytes).build_id;
    sha256 = (await pushPatch(engine, bytes)).sha256;
  }
  if (opts.trapWindowMs !== undefined && opts.maxTraps === undefined) throw new CliUsageError("--trap-window-ms needs --max-traps");
  const replace = parsePairs("--replace", opts.replace);
  const ref = parsePairs("--ref", opts.ref);
  const item: PatchItem = {
    sha256, ...(replace ? { replace_config: replace } : {}), ...(ref ? { ref_config: ref } : {}),
    ...(opts.maxTraps !== undefined ? { policy: { max_traps: whole("--max-traps", opts.maxTraps, 1_000_000), window_ms: whole("--trap-window-ms", opts.trapWindowMs ?? "60000", 7 * 24 * 3600 * 1000) } } : {}),
  };
  return { item, build };
}

/** The only build the fleet knows; a usage error naming them when there are several. */
async function onlyBuild(engine: FleetEngine): Promise<string> {
  const builds = (await readFleetStatus(engine)).builds.map((b) => b.build_id);
  if (builds.length === 1) return builds[0]!;
  throw new CliUsageError(builds.length === 0 ? "no build has joined the fleet yet; name it with --build" : `the fleet runs ${builds.length} builds (${builds.join(", ")}); name one with --build`);
}

async function withEngine(flags: EngineFlags, io: CliIo, run: (engine: FleetEngine) => Promise<void>): Promise<void> {
  const engine = await openEngineFrom(flags, io);
  try {
    await run(engine);
  } finally {
    await engine.close();
  }
}

async function readLocal(file: string, io: CliIo): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(resolve(io.cwd, file)));
  } catch (err) {
    throw new CliUsageError(`cannot read ${file}: ${describeError(err)}`);
  }
}

/** Runs an option parser; its E_FLEET_CONFIG is a usage error (exit 2). */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (isHotwasmError(err) && err.code === "E_FLEET_CONFIG") throw new CliUsageError(err.message);
    throw err;
  }
}

function whole(option: string, text: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) > max) throw new CliUsageError(`${option} must be a whole number up to ${max}, not "${text}"`);
  return Number(text);
}

/** Test only: HOTWASM_TEST_PAUSE_AT=transition-written:N holds the N-th transition after its write, before its audit record. */
function testPause(io: CliIo): ((step: "written" | "recorded", t: Transition) => Promise<void>) | undefined {
  const spec = io.env?.HOTWASM_TEST_PAUSE_AT;
  if (!spec?.startsWith("transition-")) return undefined;
  const [at, nth = "1"] = spec.slice("transition-".length).split(":");
  let seen = 0;
  return async (step, t) => {
    if (step !== at || ++seen !== Number(nth)) return;
    io.out(`hotwasm fleet controller: paused at transition-${step} (generation ${t.gen})`);
    await new Promise<never>(() => {});
  };
}
