// The host agent: joins a Host or a HostPool to the fleet. It converges the host to the rollout
// state it reads (on a watch event, on every poll, at start), reports ack or nack with the set in
// force, forwards trap containment, refreshes its presence, and keeps its patches while the engine
// is out of reach. The watch only speeds things up; the poll is what guarantees convergence.

import { hostname } from "node:os";
import { describeError } from "../errors.js";
import type { AdminTarget } from "../admin/admin-target.js";
import type { DebugSection } from "../admin/debug-state.js";
import type { HostEvent } from "../model/events.js";
import { desiredFor } from "./admission.js";
import { connectEngine, type EngineOptions, type EngineTraffic, type FleetEngine } from "./engine.js";
import { checkHostId, hostIdFrom, rolloutKey } from "./layout.js";
import { ManagedPatches, fetchPatch } from "./patch-objects.js";
import { PresenceBeat } from "./presence.js";
import { reconcilePatches, type ReconcileOutcome } from "./reconcile.js";
import { stateSchema, shasOf, type RolloutState } from "./records.js";
import { describeAgent, type AgentView } from "./agent-view.js";
import { StatusReporter } from "./status-report.js";
import { readEntry } from "./snapshot.js";
import { serialPasses, watchToWake } from "./wake-up.js";

/** Options of an agent. */
export interface FleetAgentOptions {
  engine: EngineOptions;
  /** The host's name in the fleet (default: the machine's name). */
  hostId?: string;
  kind?: "host" | "pool";
  /** Time between two reads of the rollout state, ms (default 10 s). */
  pollMs?: number;
  /** Time between two presence refreshes, ms (default 10 s; keep it well under the presence TTL). */
  heartbeatMs?: number;
  /** Largest patch fetched, bytes (default 16 MiB). */
  maxPatchBytes?: number;
  /** Checks a patch's bytes before loading (e.g. signatures; the host's own checks run too). */
  verifyPatch?: (bytes: Uint8Array) => void;
  /** Told what the agent does (loads, unloads, refusals, the engine coming and going). */
  log?: (line: string) => void;
}

export type { AgentView };

/** A host's membership of the fleet. */
export class FleetAgent {
  readonly hostId: string;
  readonly buildId: string;
  private engine: FleetEngine | null = null;
  private closed = false;
  private problem: string | null = null;
  private timers: ReturnType<typeof setInterval>[] = [];
  private stopWatch: (() => void) | null = null;
  private readonly passes = serialPasses(() => this.reconcileOnce(), () => this.closed);
  private state: RolloutState | null = null;
  private lastPollAt: number | null = null;
  private refused: string | null = null;
  private displaced = false;
  private readonly managed = new ManagedPatches();
  private readonly presence: PresenceBeat;
  private readonly reporter: StatusReporter;
  private readonly stopEvents: () => void;
  private readonly connected: Promise<void>;
  private wake: (() => void) | null = null;

  private constructor(private readonly target: AdminTarget, private readonly options: FleetAgentOptions) {
    this.hostId = checkHostId(options.hostId ?? hostIdFrom(hostname()));
    this.buildId = target.manifest.buildId;
    this.presence = new PresenceBeat(this.buildId, this.hostId, options.kind ?? "host");
    this.reporter = new StatusReporter(this.hostId, this.buildId, () => this.trigger());
    this.stopEvents = target.on((e) => this.onEvent(e));
    this.connected = this.join();
  }

  /** Starts an agent for `target`; it connects and converges in the background. */
  static start(target: AdminTarget, options: FleetAgentOptions): FleetAgent {
    return new FleetAgent(target, options);
  }

  /** Resolves once the agent has joined and reported once (or was closed first). */
  whenJoined(): Promise<void> {
    return this.connected;
  }

  /** Reads the rollout state and converges now; resolves after a reconcile that started after this call. */
  reconcileNow(): Promise<void> {
    return this.trigger();
  }

  /** What the agent knows now. */
  view(): AgentView {
    return {
      host_id: this.hostId, build_id: this.buildId, servers: this.options.engine.servers, connected: !!this.engine && !this.engine.nc.isClosed() && !this.problem,
      problem: this.problem, rollout: this.state, desired: this.state ? shasOf(desiredFor(this.state, this.hostId)) : null,
      status: this.reporter.last, last_poll_at: this.lastPollAt,
    };
  }

  /** Messages and bytes this agent's connection has sent and received (null before it joined). */
  traffic(): EngineTraffic | null {
    return this.engine ? { ...this.engine.nc.stats() } : null;
  }

  /** The fleet section of the host's debug page. */
  debugSection(): DebugSection {
    return describeAgent(this.view());
  }

  /** Leaves the fleet: stops polling, withdraws the presence and closes the connection. The patches stay. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    for (const t of this.timers) clearInterval(t);
    this.stopWatch?.();
    this.stopEvents();
    await this.passes.running?.catch(() => undefined);
    await this.connected.catch(() => undefined);
    const engine = this.engine;
    this.engine = null;
    if (engine) {
      if (!this.displaced) await this.presence.withdraw(engine).catch(() => undefined);
      await engine.close();
    }
  }

  private async join(): Promise<void> {
    const pollMs = this.options.pollMs ?? 10_000;
    while (!this.closed && !this.engine) {
      try {
        this.engine = await connectEngine({ ...this.options.engine, persistent: true, name: `hotwasm agent ${this.hostId}` });
      } catch (err) {
        this.setProblem(err);
        await new Promise<void>((resolve) => { this.wake = resolve; setTimeout(resolve, pollMs).unref(); });
      }
    }
    const engine = this.engine;
    if (this.closed || !engine) return;
    this.log(`joined ${this.options.engine.servers.join(",")} as ${this.hostId} (build ${this.buildId})`);
    await this.presence.announce(engine).catch((err: unknown) => this.setProblem(err));
    this.timers.push(setInterval(() => void this.trigger(), pollMs));
    this.timers.push(setInterval(() => void this.beat(engine), this.options.heartbeatMs ?? 10_000));
    // The watch only speeds things up: the poll above is what guarantees convergence.
    this.stopWatch = watchToWake(engine.fleet, rolloutKey(this.buildId), undefined, () => void this.trigger(), () => this.closed, pollMs);
    await this.trigger();
  }

  private async beat(engine: FleetEngine): Promise<void> {
    try {
      await this.presence.refresh(engine);
    } catch (err) {
      this.setProblem(err);
      if ((err as { code?: string }).code !== "E_FLEET_CONFLICT") return;
      this.displaced = true; // the other process keeps the name (and its presence); this message stays
      void this.close();
    }
  }

  /** Runs a reconcile, or one more after the running one. */
  private trigger(): Promise<void> {
    return this.passes.request();
  }

  private async reconcileOnce(): Promise<void> {
    const engine = this.engine;
    if (!engine || this.closed) return;
    this.lastPollAt = Date.now();
    try {
      const { value: state } = await readEntry<RolloutState>(engine.fleet, rolloutKey(this.buildId), stateSchema);
      if (state && this.state && state.gen < this.state.gen) return; // a lagging replica: keep the newer state
      if (state) this.adopt(state);
      if (state && this.refused === `${state.rollout_id}:${state.gen}`) return; // refused once: not again before the next generation
      const outcome: ReconcileOutcome = state
        ? await reconcilePatches({
          target: this.target, desired: desiredFor(state, this.hostId), blocked: this.reporter.blocked, verify: this.options.verifyPatch,
          isManaged: (sha) => this.managed.has(engine, sha, state.gen), fetch: (sha) => fetchPatch(engine, sha, this.options.maxPatchBytes ?? 16 * 1024 * 1024),
        })
        : { result: "ack", applied: await this.managed.inForce(engine, this.target, 0), loaded: [], unloaded: [] };
      for (const sha of outcome.unloaded) this.log(`unloaded ${sha.slice(0, 12)} (rollout ${state?.rollout_id}, gen ${state?.gen})`);
      for (const sha of outcome.loaded) this.log(`loaded ${sha.slice(0, 12)} (rollout ${state?.rollout_id}, gen ${state?.gen})`);
      if (outcome.result !== "ack") this.log(`${outcome.result} for rollout ${state?.rollout_id} gen ${state?.gen}: ${outcome.code ?? ""} ${outcome.message ?? ""}`);
      await this.reporter.report(engine, state, outcome);
      this.refused = state && outcome.result === "nack" ? `${state.rollout_id}:${state.gen}` : null;
      this.setProblem(null);
    } catch (err) {
      this.setProblem(err); // the engine is out of reach: the host keeps its set
    }
  }

  private adopt(state: RolloutState): void {
    if (this.state?.rollout_id !== state.rollout_id) this.reporter.startRollout(state);
    this.state = state;
    this.reporter.state = state;
    this.managed.note([...state.baseline, ...state.target]);
  }

  private onEvent(e: HostEvent): void {
    if (e.type !== "trap" && e.type !== "rollback") return;
    const sha = this.target.getHPInfo().find((p) => p.hp_id === e.hp_id)?.sha256;
    if (sha && this.managed.knows(sha)) this.reporter.onEvent(e, sha);
  }

  private setProblem(err: unknown): void {
    if (this.displaced) return;
    const code = err === null ? "" : (err as { code?: unknown }).code;
    const line = err === null ? null : `${typeof code === "string" && code ? `${code}: ` : ""}${describeError(err)}`;
    if (line !== this.problem && line !== null) this.log(line);
    if (line === null && this.problem !== null) this.log("the engine answers again");
    this.problem = line;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}
