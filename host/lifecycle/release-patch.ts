// Releasing unloaded patches: an unloaded patch's arena range, table slots and collector hooks
// are freed only when the program no longer uses its classes or its static data; until then the
// patch is kept as "retained" (listed by getHPInfo) and checked again on later unloads.

import { canScan, globalsPointingInto, scanLive, type ScanTarget } from "./heap-scan.js";
import type { HostState, LoadedPatch } from "./host-state.js";

/** After `patch` left force: releases it and every retained patch the program no longer uses. */
export function settleUnloaded(state: HostState, patch?: LoadedPatch): void {
  if (patch) state.retained.set(patch.id, patch);
  const candidates = [...state.retained.values()];
  if (candidates.length === 0) return;
  // An unloaded patch's free-object hook leaves, and its own globals (its shadow tables among
  // them) stop being roots: what the collector still reaches through the program keeps it.
  for (const p of candidates) state.hooks.detachGlobals(p.id);
  const keep = new Map<string, string>();
  const scanned = candidates.filter((p) => p.dataRanges.length > 0 || p.classes.length > 0);
  if (scanned.length > 0 && !canScan(state.manifest)) {
    for (const p of scanned) keep.set(p.id, `the ${String(state.manifest.compiler.flags.runtime)} runtime cannot tell whether its data is still used`);
  } else if (scanned.length > 0) {
    const targets: ScanTarget[] = scanned.map((p) => ({ owner: p.id, ranges: p.dataRanges }));
    for (const [owner, reason] of globalsPointingInto(state.manifest, state.instance.exports, targets)) keep.set(owner, reason);
    const live = scanLive(state.manifest, state.instance.exports, targets);
    for (const id of live.linked) if (!keep.has(id)) keep.set(id, "the program still refers to objects in its static data");
    for (const p of scanned) {
      const used = p.classes.filter((c) => live.classIds.has(c.id) && !providedInForce(state, p.id, c.id));
      if (!keep.has(p.id) && used.length > 0) keep.set(p.id, `live objects of ${used.map((c) => c.name).join(", ")}`);
    }
  }
  for (const p of candidates) {
    const reason = keep.get(p.id);
    if (!reason) { release(state, p); continue; }
    const first = !p.retained;
    p.retained = { since: p.retained?.since ?? new Date(), reason };
    if (first) state.events.emit({ type: "retained", hp_id: p.id, reason });
  }
}

/** Frees everything `patch` held; its instance becomes unreachable. */
function release(state: HostState, patch: LoadedPatch): void {
  state.retained.delete(patch.id);
  state.hooks.detach(patch.id);
  state.arena.release(patch.id);
  state.tables.release(patch.id);
  if (patch.reusable) state.reuse.offer(patch.sha256, patch.instance, patch.reusable);
  state.events.emit({ type: "released", hp_id: patch.id });
}

/** True when a patch in force provides class `id` too (retained ones may go, so they do not count). */
function providedInForce(state: HostState, except: string, id: number): boolean {
  for (const other of state.patches.values()) {
    if (other.id !== except && other.classes.some((c) => c.id === id)) return true;
  }
  return false;
}
