// The controller: drives every build's rollout through its state machine (decide.ts). All its
// state lives in the engine: each decision is one compare-and-set of the rollout state, holding a
// lease in that same record, so a controller killed at any point and started again resumes where
// the engine says, and a second one stays passive while the lease is held. Watches only wake it up
// early; it also reads everything again every tick.

import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { describeError, isHotwasmError } from "../errors.js";
import { lastRecordedGen, publishTransition } from "./audit.js";
import { decideNext, isSettled, transitionOf, type Transition } from "./decide.js";
import { connectEngine, setUpFleet, type EngineOptions, type EngineTraffic, type FleetEngine, type LayoutOptions } from "./engine.js";
import { hostIdFrom, rolloutKey } from "./layout.js";
import { encodeRecord, type RolloutState } from "./records.js";
import { listSpecBuilds, readSnapshot, writeEntry } from "./snapshot.js";
import { serialPasses, watchToWake } from "./wake-up.js";

/** Options of a controller. */
export interface ControllerOptions {
  engine: EngineOptions;
  /** This controller's name in leases and the audit (default: machine, pid and a random suffix). */
  id?: string;
  /** Time between two full passes, ms (default 2 s). */
  tickMs?: number;
  /** How long a lease lasts without renewal, ms (default 15 s): a killed controller's successor waits this long. */
  leaseMs?: number;
  /** Buckets to create if missing (replicas, presence TTL). */
  layout?: LayoutOptions;
  log?: (line: string) => void;
  /** Test only: told when a transition is written ("written") and recorded in the audit ("recorded"); may hold it there. */
  onStep?: (step: "written" | "recorded", transition: Transition) => Promise<void>;
}

/** A running controller. */
export class FleetController {
  readonly id: string;
  private closed = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private soon: ReturnType<typeof setTimeout> | null = null;
  private watchers: (() => void)[] = [];
  private readonly passes = serialPasses(() => this.pass(), () => this.closed);
  private readonly recorded = new Map<string, number>();
  private ready = false;
  private problem: string | null = null;
  private readonly malformed = new Set<string>();
  private markSetUp: () => void = () => {};
  private readonly setUp = new Promise<void>((resolve) => { this.markSetUp = resolve; });

  private constructor(private readonly engine: FleetEngine, private readonly options: ControllerOptions) {
    this.id = options.id ?? `${hostIdFrom(hostname())}-${process.pid}-${randomBytes(3).toString("hex")}`;
  }

  /** Connects and starts the loop, which first creates the missing buckets (again each tick until it can: a new cluster
   * takes a moment to elect its leaders); E_FLEET_UNREACHABLE when the engine does not answer. */
  static async start(options: ControllerOptions): Promise<FleetController> {
    const engine = await connectEngine({ ...options.engine, persistent: true, name: "hotwasm controller" });
    const controller = new FleetController(engine, options);
    controller.begin();
    return controller;
  }

  /** Resolves once the fleet's buckets exist (the first tick that could create them). */
  whenSetUp(): Promise<void> {
    return this.setUp;
  }

  /** One pass over every build with a rollout spec; resolves once a pass that started after this call is over. */
  tick(): Promise<void> {
    return this.passes.request();
  }

  /** Messages and bytes this controller's connection has sent and received. */
  traffic(): EngineTraffic {
    return { ...this.engine.nc.stats() };
  }

  /** Stops the loop and closes the connection (the lease runs out on its own). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    for (const stop of this.watchers) stop();
    await this.passes.running?.catch(() => undefined);
    await this.engine.close();
  }

  /** Ticks, and wakes up on any change of specs, states or statuses (hosts coming and going wait for the tick). */
  private begin(): void {
    const tickMs = this.options.tickMs ?? 2000;
    this.timer = setInterval(() => void this.tick(), tickMs);
    void this.tick().then(() => {
      for (const kv of [this.engine.fleet, this.engine.status]) this.watchers.push(watchToWake(kv, ">", "updates", () => this.wakeSoon(), () => this.closed, tickMs));
    });
  }

  /** A pass soon: changes come in bursts (every host acks a step), one pass reads them all. */
  private wakeSoon(): void {
    if (this.soon || this.closed) return;
    this.soon = setTimeout(() => { this.soon = null; void this.tick(); }, WAKE_DELAY_MS);
  }

  private async pass(): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.ready) {
        await setUpFleet(this.engine, this.options.layout);
        this.ready = true;
        this.markSetUp();
      }
      for (const build of await listSpecBuilds(this.engine)) await this.driveBuild(build);
      if (this.problem !== null) this.log("the engine answers again");
      this.problem = null;
    } catch (err) {
      const line = describeError(err);
      if (line !== this.problem) this.log(`cannot reach the engine: ${line}`);
      this.problem = line;
    }
  }

  /** Decides and writes for one build until there is nothing more to do now (or another writer won). */
  private async driveBuild(build: string): Promise<void> {
    const leaseMs = this.options.leaseMs ?? 15_000;
    const onBad = (key: string, err: unknown) => {
      if (!this.malformed.has(key)) this.log(`ignoring ${key}: ${describeError(err)}`);
      this.malformed.add(key);
    };
    let snap = await readSnapshot(this.engine, build, onBad, false);
    await this.repairAudit(build, snap.state);
    if (isSettled(snap.spec, snap.state)) return; // nothing to drive: the hosts need not be read
    snap = await readSnapshot(this.engine, build, onBad);
    for (let i = 0; i < 8 && !this.closed; i++) {
      const decision = decideNext(snap, Date.now(), { id: this.id, leaseMs });
      if (decision.kind === "wait") return;
      let revision: number;
      try {
        revision = await writeEntry(this.engine.fleet, rolloutKey(build), encodeRecord(decision.next), snap.revision);
      } catch (err) {
        if (isHotwasmError(err) && err.code === "E_FLEET_CONFLICT") return; // another controller wrote first: read again next time
        throw err;
      }
      const before = snap.state;
      snap = { ...snap, state: decision.next, revision };
      if (before && before.lease?.holder !== this.id && before.lease && !decision.transition) this.log(`${short(build)}: took over the lease of ${before.lease.holder}`);
      // A transition not yet in the audit stops this pass: repairAudit can only record the last one.
      if (decision.transition && !(await this.record(build, decision.next, decision.transition))) return;
    }
  }

  /** Records a transition in the audit; false when the engine did not take it (repairAudit retries). */
  private async record(build: string, state: RolloutState, t: Transition): Promise<boolean> {
    this.log(`${short(build)} ${state.rollout_id}: ${t.from ?? "-"} → ${t.to}${t.to === "canary" || t.to === "waves" ? ` step ${t.step + 1} (${state.steps[t.step]!.pct} %, ${state.admitted.length} admitted)` : ""}, generation ${t.gen}${t.reason ? `: ${t.reason}` : ""}`);
    await this.options.onStep?.("written", t);
    try {
      await publishTransition(this.engine, { kind: "transition", build_id: build, rollout_id: state.rollout_id, ...t, admitted: state.admitted.length, controller: this.id, at: state.updated_at });
      this.recorded.set(build, t.gen);
    } catch (err) {
      this.log(`cannot record generation ${t.gen} in the audit stream yet: ${describeError(err)}`);
      return false;
    }
    await this.options.onStep?.("recorded", t);
    return true;
  }

  /** Writes the audit record of the state's last transition if a controller stopped between writing the state and recording it. */
  private async repairAudit(build: string, state: RolloutState | null): Promise<void> {
    if (!state || (this.recorded.get(build) ?? 0) >= state.gen) return;
    const mayAct = !state.lease || state.lease.holder === this.id || state.lease.until <= Date.now();
    if (!mayAct) return;
    if ((await lastRecordedGen(this.engine, build)) < state.gen) {
      const t = transitionOf(state);
      await publishTransition(this.engine, { kind: "transition", build_id: build, rollout_id: state.rollout_id, ...t, admitted: state.admitted.length, controller: this.id, at: state.updated_at });
      this.log(`${short(build)} ${state.rollout_id}: recorded generation ${t.gen} (${t.from ?? "-"} → ${t.to}) in the audit stream`);
    }
    this.recorded.set(build, state.gen);
  }

  private log(line: string): void {
    this.options.log?.(`controller ${this.id}: ${line}`);
  }
}

/** Delay of a pass after a watch saw a change. */
const WAKE_DELAY_MS = 50;

function short(build: string): string {
  return build.slice(0, 8);
}
