// What an operator asks of the fleet: start a rollout, promote it past a hold, roll it back. Each
// is one compare-and-set of the build's spec; the controller does the rest.

import { randomBytes } from "node:crypto";
import { HotwasmError } from "../errors.js";
import { isFinal, settledSet } from "./admission.js";
import type { FleetEngine } from "./engine.js";
import { checkBuildId, rolloutKey, specKey } from "./layout.js";
import { hasPatch } from "./patch-objects.js";
import { encodeRecord, specSchema, stateSchema, type PatchItem, type RolloutSpec, type RolloutState, type RolloutStep } from "./records.js";
import { readEntry, writeEntry, type Entry } from "./snapshot.js";

/** What a new rollout needs. */
export interface RolloutRequest {
  build_id: string;
  patch: PatchItem;
  steps: RolloutStep[];
  /** Traps tolerated over the fleet (default 0). */
  max_traps?: number;
  /** Longest wait for a step's hosts, ms (default 120 s). */
  step_deadline_ms?: number;
  rollout_id?: string;
}

/** Writes a new rollout spec; E_FLEET_CONFLICT while another rollout of the build is under way or the patch is in force already. */
export async function startRollout(engine: FleetEngine, request: RolloutRequest): Promise<RolloutSpec> {
  const build = checkBuildId(request.build_id);
  if (!(await hasPatch(engine, request.patch.sha256))) {
    throw new HotwasmError("E_FLEET_PATCH_MISSING", `the fleet's patch store has no patch ${request.patch.sha256}; push it first (hotwasm fleet push)`);
  }
  const { spec, state } = await readBuild(engine, build);
  if (spec.value && (!state.value || state.value.rollout_id !== spec.value.rollout_id)) {
    throw new HotwasmError("E_FLEET_CONFLICT", `rollout ${spec.value.rollout_id} of build ${build} waits for the controller to start it`);
  }
  if (state.value && !isFinal(state.value.phase)) {
    throw new HotwasmError("E_FLEET_CONFLICT", `rollout ${state.value.rollout_id} of build ${build} is ${state.value.phase}; wait for it, or roll it back (hotwasm fleet rollback)`);
  }
  if (state.value && settledSet(state.value).some((p) => p.sha256 === request.patch.sha256)) {
    throw new HotwasmError("E_FLEET_CONFLICT", `patch ${request.patch.sha256.slice(0, 12)} is in force on build ${build} already (rollout ${state.value.rollout_id})`);
  }
  const parsed = specSchema.safeParse({
    v: 1, build_id: build, rollout_id: request.rollout_id ?? newRolloutId(), patch: request.patch, steps: request.steps,
    max_traps: request.max_traps ?? 0, step_deadline_ms: request.step_deadline_ms ?? 120_000, created_at: new Date().toISOString(),
  });
  if (!parsed.success) throw new HotwasmError("E_FLEET_CONFIG", `invalid rollout (${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message})`);
  await writeEntry(engine.fleet, specKey(build), encodeRecord(parsed.data), spec.revision);
  return parsed.data;
}

/** Asks for the build's rollout to be rolled back (a done one too); E_FLEET_NO_ROLLOUT when there is none to roll back. */
export async function requestRollback(engine: FleetEngine, buildId: string, reason: string): Promise<RolloutSpec> {
  const build = checkBuildId(buildId);
  const { spec, state } = await readBuild(engine, build);
  if (!spec.value) throw new HotwasmError("E_FLEET_NO_ROLLOUT", `build ${build} has no rollout`);
  const current = state.value?.rollout_id === spec.value.rollout_id ? state.value : null;
  if (current && (current.phase === "rolling_back" || current.phase === "rolled_back")) {
    throw new HotwasmError("E_FLEET_NO_ROLLOUT", `rollout ${current.rollout_id} of build ${build} is ${current.phase} already`);
  }
  const next: RolloutSpec = { ...spec.value, abort: { at: new Date().toISOString(), reason: reason.slice(0, 1024) } };
  await writeEntry(engine.fleet, specKey(build), encodeRecord(next), spec.revision);
  return next;
}

/** Promotes the build's rollout past the hold of the step it is in; E_FLEET_NO_ROLLOUT when no step is under way. */
export async function promoteRollout(engine: FleetEngine, buildId: string): Promise<{ spec: RolloutSpec; step: number }> {
  const build = checkBuildId(buildId);
  const { spec, state } = await readBuild(engine, build);
  const s = state.value;
  if (!spec.value || !s || s.rollout_id !== spec.value.rollout_id || (s.phase !== "canary" && s.phase !== "waves")) {
    throw new HotwasmError("E_FLEET_NO_ROLLOUT", `build ${build} has no rollout in a step to promote${s ? ` (rollout ${s.rollout_id} is ${s.phase})` : ""}`);
  }
  const next: RolloutSpec = { ...spec.value, promote: Math.max(spec.value.promote ?? -1, s.step) };
  await writeEntry(engine.fleet, specKey(build), encodeRecord(next), spec.revision);
  return { spec: next, step: s.step };
}

/** A build's spec and state with their revisions. */
export async function readBuild(engine: FleetEngine, build: string): Promise<{ spec: Entry<RolloutSpec>; state: Entry<RolloutState> }> {
  const [spec, state] = await Promise.all([readEntry<RolloutSpec>(engine.fleet, specKey(build), specSchema), readEntry<RolloutState>(engine.fleet, rolloutKey(build), stateSchema)]);
  return { spec, state };
}

function newRolloutId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-");
  return `r${t}-${randomBytes(3).toString("hex")}`;
}
