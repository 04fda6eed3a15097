// Taking a loaded patch out of force without being asked: when its code failed more often than its
// policy allows (trap containment), or when a load could not be recorded in the state directory.
// No hook of the patch runs (it is misbehaving); the slots fall back as on an unload.

import type { HostState, LoadedPatch } from "./host-state.js";
import { settleUnloaded } from "./release-patch.js";
import { describeError } from "./errors.js";

/** How many rolled-back patches `getHPInfo` keeps listing. */
export const HISTORY_LIMIT = 32;

/** Rolls patch `id` back: events rollback, revert, unloaded (then released or retained). */
export function rollBackPatch(state: HostState, id: string, reason: string): void {
  const patch = state.patches.get(id);
  if (!patch) return;
  state.events.emit({ type: "rollback", hp_id: id, reason });
  state.swap.revert(id);
  state.patches.delete(id);
  state.guard.release(id);
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
