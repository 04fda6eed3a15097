// Benchmark 8, fleet: N in-process hosts with their agents on a real nats-server (production
// settings: 10 s poll and heartbeat, the controller's defaults). How long after a promotion every
// host has acked the final generation, and the engine traffic of one idle host per minute.
// Skipped when nats-server is not installed.

import { FleetAgent, FleetController, connectEngine, promoteRollout, pushPatch, startRollout, type EngineTraffic, type FleetEngine } from "../host/fleet/index.js";
import { Host } from "../host/index.js";
import { makeManyFunctionConfig, makeManyFunctionPatch } from "./generated.js";
import { findNatsServer, startNatsServer } from "./nats-launcher.js";
import { computeMedian } from "./stats.js";

/** What the fleet benchmark measured (or why it did not run). */
export interface FleetBenchResult {
  skipped?: string;
  hosts: number;
  /** Promotion to every host acked the final generation, ms, one per rollout. */
  convergeMs: number[];
  convergeMedianMs: number;
  idle: {
    windowSec: number;
    pollMs: number;
    heartbeatMs: number;
    /** Per host and minute while nothing changes (both directions of its connection). */
    perHostPerMinute: EngineTraffic;
    /** The controller's connection, per minute. */
    controllerPerMinute: EngineTraffic;
  };
}

/** Sizes of a run. */
export interface FleetBenchPlan {
  hosts: number;
  rollouts: number;
  idleSec: number;
}

const POLL_MS = 10_000;
const HEARTBEAT_MS = 10_000;

/** Runs the fleet benchmark on `base` (a patchable build exporting f0). */
export async function benchFleet(base: Uint8Array, plan: FleetBenchPlan): Promise<FleetBenchResult> {
  const empty = { perHostPerMinute: zero(), controllerPerMinute: zero(), windowSec: 0, pollMs: POLL_MS, heartbeatMs: HEARTBEAT_MS };
  if (!findNatsServer()) return { skipped: "nats-server is not installed (apt-get install nats-server)", hosts: 0, convergeMs: [], convergeMedianMs: NaN, idle: empty };
  const nats = await startNatsServer();
  const closers: (() => Promise<void>)[] = [];
  try {
    const controller = await FleetController.start({ engine: { servers: nats.urls } });
    closers.push(() => controller.close());
    await controller.whenSetUp();
    const engine = await connectEngine({ servers: nats.urls, persistent: true });
    closers.push(() => engine.close());
    const module = new WebAssembly.Module(base as Uint8Array<ArrayBuffer>);
    const env = { env: { abort: () => { throw new Error("abort"); } } };
    const agents = await Promise.all(Array.from({ length: plan.hosts }, async (_, i) => {
      const host = await Host.instantiate(module, env);
      const agent = FleetAgent.start(host, { engine: { servers: nats.urls }, hostId: `bench-${i}`, pollMs: POLL_MS, heartbeatMs: HEARTBEAT_MS });
      closers.push(() => agent.close());
      return agent;
    }));
    await Promise.all(agents.map((a) => a.whenJoined()));
    const build = agents[0]!.buildId;
    const convergeMs: number[] = [];
    for (let r = 0; r < plan.rollouts; r++) convergeMs.push(await timePromotion(engine, agents, build, r));
    const idleSec = plan.idleSec;
    const before = agents.map((a) => a.traffic()!);
    const controllerBefore = controller.traffic();
    await new Promise((resolve) => setTimeout(resolve, idleSec * 1000));
    const perHost = agents.map((a, i) => minus(a.traffic()!, before[i]!));
    const perMinute = (t: EngineTraffic) => scale(t, 60 / idleSec);
    return {
      hosts: plan.hosts, convergeMs, convergeMedianMs: computeMedian(convergeMs),
      idle: {
        windowSec: idleSec, pollMs: POLL_MS, heartbeatMs: HEARTBEAT_MS,
        perHostPerMinute: perMinute(scale(perHost.reduce(plus, zero()), 1 / plan.hosts)),
        controllerPerMinute: perMinute(minus(controller.traffic(), controllerBefore)),
      },
    };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await nats.stop();
  }
}

/** A rollout of a new patch held at its 10 % canary, then promoted: ms until every host acked the final generation. */
async function timePromotion(engine: FleetEngine, agents: FleetAgent[], build: string, round: number): Promise<number> {
  const { sha256 } = await pushPatch(engine, makeManyFunctionPatch(1, 1000 + round));
  await startRollout(engine, { build_id: build, rollout_id: `bench-${round}`, patch: { sha256, replace_config: makeManyFunctionConfig(1) }, steps: [{ pct: 10, hold_ms: null }, { pct: 100, hold_ms: 0 }] });
  await until(() => agents.every((a) => a.view().rollout?.phase === "canary" && a.view().status?.gen === a.view().rollout?.gen && a.view().status?.result === "ack"));
  const started = performance.now();
  await promoteRollout(engine, build);
  await until(() => agents.every((a) => {
    const v = a.view();
    return v.rollout?.phase === "done" && v.status?.gen === v.rollout.gen && v.status.result === "ack" && v.status.applied.includes(sha256);
  }));
  return performance.now() - started;
}

/** Formats the fleet section of the report. */
export function formatFleetFigures(r: FleetBenchResult): string[] {
  if (r.skipped) return [`skipped: ${r.skipped}`];
  const t = r.idle.perHostPerMinute;
  const c = r.idle.controllerPerMinute;
  return [
    `${r.hosts} hosts, one agent and one connection each; promotion of a 10 % canary to 100 %, until every host acked the final generation: median ${r.convergeMedianMs.toFixed(0)} ms (${r.convergeMs.map((v) => v.toFixed(0)).join(", ")})`,
    `idle, over ${r.idle.windowSec} s (poll ${r.idle.pollMs / 1000} s, presence every ${r.idle.heartbeatMs / 1000} s): per host and minute ${t.outMsgs.toFixed(1)} messages out (${(t.outBytes / 1024).toFixed(2)} KiB), ${t.inMsgs.toFixed(1)} in (${(t.inBytes / 1024).toFixed(2)} KiB); the controller ${c.outMsgs.toFixed(1)} out (${(c.outBytes / 1024).toFixed(2)} KiB), ${c.inMsgs.toFixed(1)} in (${(c.inBytes / 1024).toFixed(2)} KiB)`,
  ];
}

async function until(check: () => boolean): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > 120_000) throw new Error("fleet benchmark: the hosts did not converge within 120 s");
    await new Promise((r) => setTimeout(r, 5));
  }
}

function zero(): EngineTraffic {
  return { inMsgs: 0, outMsgs: 0, inBytes: 0, outBytes: 0 };
}

function plus(a: EngineTraffic, b: EngineTraffic): EngineTraffic {
  return { inMsgs: a.inMsgs + b.inMsgs, outMsgs: a.outMsgs + b.outMsgs, inBytes: a.inBytes + b.inBytes, outBytes: a.outBytes + b.outBytes };
}

function minus(a: EngineTraffic, b: EngineTraffic): EngineTraffic {
  return { inMsgs: a.inMsgs - b.inMsgs, outMsgs: a.outMsgs - b.outMsgs, inBytes: a.inBytes - b.inBytes, outBytes: a.outBytes - b.outBytes };
}

function scale(a: EngineTraffic, k: number): EngineTraffic {
  return { inMsgs: a.inMsgs * k, outMsgs: a.outMsgs * k, inBytes: a.inBytes * k, outBytes: a.outBytes * k };
}
