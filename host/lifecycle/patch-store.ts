// Where a Host records its loaded patches so that a restarted process can re-apply them (the
// state directory of `hotwasm serve`; the Node implementation is host/node/patch-journal.ts).

import { HotwasmError, describeError } from "../errors.js";
import type { EventHub } from "../model/events.js";
import type { HostState } from "./host-state.js";
import { describePatches, type HPInfo } from "./hp-info.js";
import type { StoredPatch, PatchStore } from "../model/stored-patch.js";

export type { StoredPatch, PatchStore } from "../model/stored-patch.js";


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
