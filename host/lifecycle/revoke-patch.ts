// Taking a loaded patch out of force without being asked: when its code failed more often than its
// policy allows (trap containment), or when a load could not be recorded in the state directory.
// No hook of the patch runs (it is misbehaving); the slots fall back as on an unload. Also: turning
// the trampolines that attribute failures on and off as patches with a policy come and go.

import type { HostState, LoadedPatch } from "./host-state.js";
import { settleUnloaded } from "./release-patch.js";
import { describeError } from "../errors.js";

/** How many rolled-back patches `getHPInfo` keeps listing. */
export const HISTORY_LIMIT = 32;

/** Revokes patch `id` (rolls it back after it was loaded): events rollback, revert, unloaded (then released or retained). */
export function revokePatch(state: HostState, id: string, reason: string): void {
  const patch = state.patches.get(id);
  if (!patch) return;
  state.events.emit({ type: "rollback", hp_id: id, reason });
  state.swap.revert(id);
  state.patches.delete(id);
  state.guard.release(id);
  syncTrampolines(state);
  state.events.emit({ type: "revert", hp_id: id, targets: patch.replaces.map((r) => r.symbol) });
  state.events.emit({ type: "unloaded", hp_id: id, warnings: [] });
  patch.rolledBack = { reason, at: new Date() };
  state.history.delete(id);
  state.history.set(id, patch);
  while (state.history.size > HISTORY_LIMIT) state.history.delete(state.history.keys().next().value!);
  settleUnloaded(state, patch);
}

/** Counts a failure under patch `id`; true when it went over its policy's limit (the caller rolls it back). */
export function countTrap(state: HostState, id: string, error: unknown): boolean {
  const patch: LoadedPatch | undefined = state.patches.get(id);
  if (!patch?.policy) return false;
  const now = state.now();
  const { times } = patch.traps;
  times.push(now);
  while (times.length > 0 && times[0]! <= now - patch.policy.window_ms) times.shift();
  patch.traps.total++;
  state.events.emit({ type: "trap", hp_id: id, count: times.length, message: describeError(error) });
  return times.length > patch.policy.max_traps;
}

/** Puts every replacement behind a trampoline while a patch with a policy is loaded (or `policyComing`), and takes them out after. */
export function syncTrampolines(state: HostState, policyComing = false): void {
  const want = policyComing || [...state.patches.values()].some((p) => p.policy);
  if (want === state.guard.active) return;
  state.guard.active = want;
  if (!want) state.guard.reset();
  const types = new Map(state.manifest.functions.filter((f) => f.slot !== null).map((f) => [f.slot!, f]));
  state.swap.rewrap((owner, raw, slot) => (want && state.patches.has(owner) ? state.guard.wrap(owner, raw, types.get(slot)!) : raw));
}
