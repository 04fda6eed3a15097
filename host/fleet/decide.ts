// The controller's state machine as one pure function: from what the engine holds now (spec,
// state, live hosts, their statuses) and the time, the next state to write, if any.
//   pending → canary → waves (step 1..n) → done;  any of these → rolling_back → rolled_back.
// Every transition bumps `gen`; lease renewals, top-ups and the start of a hold do not.

import { admitHosts, isFinal, settledSet } from "./admission.js";
import { sameShas, shasOf, type HostStatus, type Phase, type RolloutSpec, type RolloutState } from "./records.js";

/** What the engine holds for one build. */
export interface Snapshot {
  spec: RolloutSpec | null;
  state: RolloutState | null;
  /** Host ids with a live presence for the build. */
  live: string[];
  statuses: Map<string, HostStatus>;
}

/** The controller deciding, and how long its lease lasts. */
export interface Actor {
  id: string;
  leaseMs: number;
}

/** A transition, as the audit stream records it. */
export interface Transition {
  from: Phase | null;
  to: Phase;
  step: number;
  gen: number;
  reason: string | null;
}

/** Nothing to write (and why), or the next state, with the transition it makes (null for a renewal or a top-up). */
export type Decision = { kind: "wait"; why: string } | { kind: "write"; next: RolloutState; transition: Transition | null };

/** The next step for one build. */
export function decideNext(snap: Snapshot, now: number, actor: Actor): Decision {
  const { spec, state } = snap;
  if (!spec) return { kind: "wait", why: "no rollout spec" };
  const lease = { holder: actor.id, until: now + actor.leaseMs };
  if (!state || state.rollout_id !== spec.rollout_id) {
    if (state && !isFinal(state.phase)) return { kind: "wait", why: `rollout ${state.rollout_id} is still ${state.phase}; ${spec.rollout_id} waits` };
    return startRollout(spec, state, now, lease);
  }
  if (isFinal(state.phase)) {
    if (state.phase === "done" && spec.abort) return move(state, { phase: "rolling_back", admitted: [], reason: `rolled back by the operator: ${spec.abort.reason}` }, now, lease);
    return { kind: "wait", why: `rollout ${state.rollout_id} is ${state.phase}` };
  }
  if (state.lease && state.lease.holder !== actor.id && state.lease.until > now) {
    return { kind: "wait", why: `controller ${state.lease.holder} holds the lease` };
  }
  const decided = decideActive(snap, state, spec, now, lease);
  if (decided) return decided;
  if (!state.lease || state.lease.holder !== actor.id || state.lease.until - now < actor.leaseMs / 2) {
    return { kind: "write", next: { ...state, lease, updated_at: now }, transition: null };
  }
  return { kind: "wait", why: `rollout ${state.rollout_id} is ${state.phase}` };
}

/** True when there is nothing to drive: no spec, or its rollout is over and no rollback of it is asked for (the hosts need not be read). */
export function isSettled(spec: RolloutSpec | null, state: RolloutState | null): boolean {
  if (!spec) return true;
  if (!state || state.rollout_id !== spec.rollout_id || !isFinal(state.phase)) return false;
  return !(state.phase === "done" && spec.abort);
}

/** The transition that led to `state` (it is kept in the state, so that a lost audit record can be written again). */
export function transitionOf(state: RolloutState): Transition {
  return { from: state.from, to: state.phase, step: state.step, gen: state.gen, reason: state.reason };
}

function decideActive(snap: Snapshot, state: RolloutState, spec: RolloutSpec, now: number, lease: RolloutState["lease"]): Decision | null {
  if (state.phase === "rolling_back") return decideRollback(snap, state, now, lease);
  if (spec.abort) return move(state, { phase: "rolling_back", admitted: [], reason: `rolled back by the operator: ${spec.abort.reason}` }, now, lease);
  if (state.phase === "pending") return enterStep(state, 0, snap.live, now, lease);
  const admitted = new Set(state.admitted);
  const mine = [...snap.statuses.values()].filter((s) => s.rollout_id === state.rollout_id && admitted.has(s.host_id));
  const failed = mine.filter((s) => s.result !== "ack");
  if (failed.length > 0) {
    const first = failed[0]!;
    const why = first.result === "trap" ? `trap containment rolled the patch back on ${first.host_id}: ${first.message ?? ""}` : `${first.host_id} refused the patch: ${first.code ?? "?"}: ${first.message ?? ""}`;
    const failures = failed.map((s) => ({ host_id: s.host_id, result: s.result, ...(s.code ? { code: s.code } : {}), ...(s.message ? { message: s.message } : {}) }));
    return move(state, { phase: "rolling_back", admitted: [], reason: why, failures }, now, lease);
  }
  const traps = mine.reduce((n, s) => n + s.traps, 0);
  if (traps > state.max_traps) return move(state, { phase: "rolling_back", admitted: [], reason: `${traps} traps of the new patch over the fleet (limit ${state.max_traps})` }, now, lease);
  const step = state.steps[state.step]!;
  const live = new Set(snap.live);
  const want = Math.ceil((step.pct * snap.live.length) / 100);
  if (state.admitted.filter((h) => live.has(h)).length < want) {
    // An admitted host left: admit the next ones, so that the share stays exact.
    return { kind: "write", next: { ...state, admitted: admitHosts(state.rollout_id, snap.live, state.admitted, step.pct), converged_at: null, lease, updated_at: now }, transition: null };
  }
  const target = shasOf(state.target);
  const waiting = state.admitted.filter((h) => live.has(h) && !hasAcked(snap.statuses.get(h), state, target));
  if (waiting.length > 0) {
    if (now - state.phase_since <= state.step_deadline_ms) return null;
    return move(state, { phase: "rolling_back", admitted: [], reason: `step ${state.step + 1} (${step.pct} %): ${listHosts(waiting)} did not ack within ${state.step_deadline_ms} ms` }, now, lease);
  }
  if (state.converged_at === null) return { kind: "write", next: { ...state, converged_at: now, lease, updated_at: now }, transition: null };
  const lastTrap = Math.max(0, ...mine.map((s) => s.last_trap_at ?? 0));
  const promoted = (spec.promote ?? -1) >= state.step;
  const held = step.hold_ms !== null && now - Math.max(state.converged_at, lastTrap) >= step.hold_ms;
  if (!promoted && !held) return null;
  if (state.step + 1 < state.steps.length) return enterStep(state, state.step + 1, snap.live, now, lease);
  return move(state, { phase: "done", lease: null }, now, lease);
}

function decideRollback(snap: Snapshot, state: RolloutState, now: number, lease: RolloutState["lease"]): Decision | null {
  const baseline = shasOf(state.baseline);
  const waiting = snap.live.filter((h) => !hasAcked(snap.statuses.get(h), state, baseline));
  if (waiting.length === 0) return move(state, { phase: "rolled_back", lease: null }, now, lease);
  if (now - state.phase_since <= state.step_deadline_ms) return null;
  return move(state, { phase: "rolled_back", lease: null, unconfirmed: waiting }, now, lease);
}

function startRollout(spec: RolloutSpec, previous: RolloutState | null, now: number, lease: RolloutState["lease"]): Decision {
  const baseline = previous ? settledSet(previous) : [];
  const target = baseline.some((p) => p.sha256 === spec.patch.sha256) ? baseline : [...baseline, spec.patch];
  const next: RolloutState = {
    v: 1, build_id: spec.build_id, rollout_id: spec.rollout_id, gen: (previous?.gen ?? 0) + 1, phase: "pending", from: previous?.phase ?? null, step: 0, steps: spec.steps,
    max_traps: spec.max_traps, step_deadline_ms: spec.step_deadline_ms, baseline, target, admitted: [], phase_since: now, converged_at: null,
    reason: null, failures: [], lease, updated_at: now,
  };
  return { kind: "write", next, transition: transitionOf(next) };
}

function enterStep(state: RolloutState, step: number, live: string[], now: number, lease: RolloutState["lease"]): Decision {
  const admitted = admitHosts(state.rollout_id, live, state.admitted, state.steps[step]!.pct);
  return move(state, { phase: step === 0 ? "canary" : "waves", step, admitted }, now, lease);
}

/** A transition: `changes` applied, the generation bumped, the phase clock restarted. */
function move(state: RolloutState, changes: Partial<RolloutState>, now: number, lease: RolloutState["lease"]): Decision {
  const next: RolloutState = { ...state, lease, ...changes, from: state.phase, gen: state.gen + 1, phase_since: now, converged_at: null, updated_at: now };
  return { kind: "write", next, transition: transitionOf(next) };
}

/** True when `s` acks `state`'s generation with exactly `shas` applied. */
function hasAcked(s: HostStatus | undefined, state: RolloutState, shas: string[]): boolean {
  return !!s && s.rollout_id === state.rollout_id && s.gen === state.gen && s.result === "ack" && sameShas(s.applied, shas);
}

function listHosts(hosts: string[]): string {
  return hosts.length <= 5 ? hosts.join(", ") : `${hosts.slice(0, 5).join(", ")} and ${hosts.length - 5} more`;
}
