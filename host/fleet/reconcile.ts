// One reconcile of a host against the set of patches the fleet wants on it: the fleet's patches in
// force are compared with the wanted list (in load order); what follows the common prefix is
// unloaded (newest first) and the rest of the wanted list loaded in order, through loadHP, so every
// check of the host applies. Patches the fleet does not manage (loaded by hand) are left alone.

import { HotwasmError, describeError, isHotwasmError } from "../errors.js";
import type { AdminTarget } from "../admin/admin-target.js";
import type { HPInfo } from "../lifecycle/hp-info.js";
import type { PatchItem } from "./records.js";

/** What one reconcile needs. */
export interface ReconcileInput {
  target: AdminTarget;
  desired: readonly PatchItem[];
  /** True when a loaded patch with this sha256 is the fleet's (not one loaded by hand). */
  isManaged: (sha256: string) => Promise<boolean>;
  /** The bytes of a patch, checked against its sha256. */
  fetch: (sha256: string) => Promise<Uint8Array>;
  /** Extra check of the bytes before loading (e.g. signatures); throws to refuse. */
  verify?: (bytes: Uint8Array) => void;
  /** Patches trap containment rolled back on this host during the rollout (with its reason): not loaded again. */
  blocked: ReadonlyMap<string, string>;
}

/** How it went: ack (the host runs exactly the wanted list), nack (a coded refusal) or trap (a wanted patch was rolled back here). */
export interface ReconcileOutcome {
  result: "ack" | "nack" | "trap";
  /** The fleet's patches in force now, in load order. */
  applied: string[];
  code?: string;
  message?: string;
  /** Patches loaded and unloaded by this reconcile. */
  loaded: string[];
  unloaded: string[];
}

/** Codes that mean the engine was out of reach: the host keeps its set and tries again, no nack. */
const TRANSIENT = new Set(["E_FLEET_UNREACHABLE", "E_FLEET_NOT_SET_UP"]);

/** Brings the host to `desired`; throws only when the engine is out of reach (nothing is reported then). */
export async function reconcilePatches(input: ReconcileInput): Promise<ReconcileOutcome> {
  const loaded: string[] = [];
  const unloaded: string[] = [];
  const finish = async (extra: Pick<ReconcileOutcome, "result" | "code" | "message">): Promise<ReconcileOutcome> =>
    ({ ...extra, applied: (await managedPatches(input)).map((p) => p.sha256), loaded, unloaded });
  try {
    const managed = await managedPatches(input);
    let k = 0;
    while (k < managed.length && k < input.desired.length && managed[k]!.sha256 === input.desired[k]!.sha256) k++;
    for (const p of managed.slice(k).reverse()) {
      await input.target.unloadHP(p.hp_id).catch((err: unknown) => {
        if (!(isHotwasmError(err) && err.code === "E_UNKNOWN_PATCH")) throw err; // already gone (a rollback raced us)
      });
      unloaded.push(p.sha256);
    }
    for (const item of input.desired.slice(k)) {
      const trapped = input.blocked.get(item.sha256);
      if (trapped !== undefined) return finish({ result: "trap", message: `patch ${item.sha256.slice(0, 12)} was rolled back here: ${trapped}` });
      const bytes = await input.fetch(item.sha256);
      input.verify?.(bytes);
      await input.target.loadHP({
        hp_bytes: bytes,
        ...(item.replace_config ? { replace_config: item.replace_config } : {}),
        ...(item.ref_config ? { ref_config: item.ref_config } : {}),
        ...(item.policy ? { policy: item.policy } : {}),
      });
      loaded.push(item.sha256);
    }
    return finish({ result: "ack" });
  } catch (err) {
    if (isHotwasmError(err) && TRANSIENT.has(err.code)) throw err;
    const coded = isHotwasmError(err) ? err : new HotwasmError("E_INTERNAL", describeError(err), { cause: err });
    return finish({ result: "nack", code: coded.code, message: coded.message });
  }
}

/** The fleet's patches in force on the host, in load order. */
async function managedPatches(input: ReconcileInput): Promise<HPInfo[]> {
  const wanted = new Set(input.desired.map((i) => i.sha256));
  const out: HPInfo[] = [];
  for (const p of input.target.getHPInfo()) {
    if (p.state !== "loaded") continue;
    if (wanted.has(p.sha256) || (await input.isManaged(p.sha256))) out.push(p);
  }
  return out;
}
