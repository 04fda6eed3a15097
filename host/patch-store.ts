// Where a Host records its loaded patches so that a restarted process can re-apply them (the
// state directory of `hotwasm serve`; the Node implementation is host/node/patch-journal.ts).

import type { EffectiveConfig, TrapPolicy } from "./config.js";
import { HotwasmError, describeError } from "./errors.js";
import type { EventHub } from "./events.js";
import type { HostState } from "./host-state.js";
import { describePatches, type HPInfo } from "./hp-info.js";

/** One loaded patch as recorded: enough to load it again from its stored bytes. */
export interface StoredPatch {
  hp_id: string;
  sha256: string;
  config: EffectiveConfig;
  policy?: TrapPolicy;
}

/** A durable record of the loaded patches. Each method resolves once the change is durable. */
export interface PatchStore {
  /** Keeps a patch's bytes under their SHA-256 (before the patch is applied). */
  saveBytes(sha256: string, bytes: Uint8Array): Promise<void>;
  /** Replaces the recorded list with `patches`, in load order, all at once. */
  saveList(patches: StoredPatch[]): Promise<void>;
}

/** The loaded patches of `state`, in load order, as a store records them. */
export function storedPatches(state: HostState): StoredPatch[] {
  return storedFromInfo(describePatches(state));
}

/** The patches in force of a `getHPInfo` list (a pool's), in load order, as a store records them. */
export function storedFromInfo(info: readonly HPInfo[]): StoredPatch[] {
  return info.filter((p) => p.state === "loaded").sort((a, b) => a.order - b.order).map((p) => ({
    hp_id: p.hp_id, sha256: p.sha256,
    config: { hp_file: p.config.hp_file, replace_config: { ...p.config.replace_config }, ref_config: { ...p.config.ref_config } },
    ...(p.policy ? { policy: { ...p.policy } } : {}),
  }));
}

/** E_STATE_WRITE_FAILED: the store could not record `what` (and the change was rolled back). */
export function storeFailedError(err: unknown, what: string, rolledBack = false): HotwasmError {
  const rolled = rolledBack ? "; it was rolled back" : "";
  return new HotwasmError("E_STATE_WRITE_FAILED", `the state directory could not record ${what}${rolled}: ${describeError(err)}`, { cause: err });
}

/** Records `list` in `store`; when it cannot, emits `store-failed` and resolves to the warning. */
export async function saveListOrWarn(store: PatchStore, list: StoredPatch[], events: EventHub): Promise<string | null> {
  try {
    await store.saveList(list);
    return null;
  } catch (err) {
    const message = `the state directory could not record the change: ${describeError(err)}`;
    events.emit({ type: "store-failed", message });
    return message;
  }
}
