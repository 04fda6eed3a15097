// Unloading one patch: HPBeforeUnload may veto; then its layers leave every slot at once, each
// slot falling back to the next newest patch or the original; HPAfterUnload failures are reported.

import { HotwasmError } from "../errors.js";
import { runHook } from "./hooks.js";
import type { HostState, LoadedPatch } from "./host-state.js";
import { settleUnloaded } from "./release-patch.js";
import { syncTrampolines } from "./revoke-patch.js";

/** The outcome of an unload. */
export interface UnloadResult {
  hp_id: string;
  /** Problems that did not stop the unload (a failing HPAfterUnload). */
  warnings: string[];
}

/** Unloads patch `id`; synchronous, so no Wasm runs while its swaps are taken back. */
export function unloadPatch(state: HostState, id: string): UnloadResult {
  return stageUnload(state, id).commit();
}

/** An unload that HPBeforeUnload allowed, not yet carried out. */
export interface StagedUnload {
  id: string;
  /** Takes the patch's swaps back and runs HPAfterUnload (its failure is a warning). */
  commit(): UnloadResult;
}

/** Phase 1 of an unload: unload-begin and HPBeforeUnload (a veto throws E_HOOK_VETO). */
export function stageUnload(state: HostState, id: string): StagedUnload {
  const patch = state.patches.get(id);
  if (!patch) throw new HotwasmError("E_UNKNOWN_PATCH", `no loaded patch has id "${id}"`, { details: { hp_id: id } });
  state.events.emit({ type: "unload-begin", hp_id: id });
  const before = runHook(patch.instance, "HPBeforeUnload", state.runPatchCode);
  if (before.ran) state.events.emit({ type: "hook", hp_id: id, hook: "HPBeforeUnload", ok: before.ok, detail: before.detail });
  if (before.timeout) throw new HotwasmError("E_PATCH_TIMEOUT", `${before.timeout.message}; the patch stays loaded`, { details: { ...before.timeout.details, hp_id: id } });
  if (!before.ok) throw new HotwasmError("E_HOOK_VETO", `HPBeforeUnload refused the unload (${before.detail})`, { details: { hp_id: id } });
  return { id, commit: () => commitUnload(state, patch) };
}

/** Phase 2 of an unload. */
function commitUnload(state: HostState, patch: LoadedPatch): UnloadResult {
  const id = patch.id;
  state.swap.revert(id);
  state.guard.release(id);
  state.patches.delete(id);
  syncTrampolines(state);
  state.events.emit({ type: "revert", hp_id: id, targets: patch.replaces.map((r) => r.symbol) });

  const warnings: string[] = [];
  const after = runHook(patch.instance, "HPAfterUnload", state.runPatchCode);
  if (after.ran) state.events.emit({ type: "hook", hp_id: id, hook: "HPAfterUnload", ok: after.ok, detail: after.detail });
  if (!after.ok) warnings.push(`HPAfterUnload failed (${after.detail}); the patch is unloaded`);
  state.events.emit({ type: "unloaded", hp_id: id, warnings });
  settleUnloaded(state, patch);
  return { hp_id: id, warnings };
}
