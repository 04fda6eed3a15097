// What `getHPInfo` reports for each patch: hotgo's HPInfo plus what hotwasm knows.

import type { EffectiveConfig, TrapPolicy } from "../model/config.js";
import type { HostState, LoadedPatch } from "./host-state.js";

/** One patch as `getHPInfo` reports it: hotgo's HPInfo plus what hotwasm knows. */
export interface HPInfo {
  hp_id: string;
  config: EffectiveConfig;
  replaces: { symbol: string; export: string; in_force: boolean }[];
  refs: { name: string; symbol: string }[];
  order: number;
  loaded_at: string;
  sha256: string;
  size: number;
  /** "retained": unloaded, but kept because the program may still use its data or classes;
   * "rolled_back": taken out of force by the host (see `rolled_back`). */
  state: "loaded" | "retained" | "rolled_back";
  retained_reason?: string;
  /** Its trap containment policy, and the failures attributed to it since it was loaded. */
  policy?: TrapPolicy;
  traps?: number;
  /** When and why the host rolled it back. */
  rolled_back?: { reason: string; at: string };
  /** Its static data in the patch arena. */
  data?: { start: number; end: number }[];
  /** Classes it adds to the base's. */
  classes?: string[];
  /** Its shadow fields and how many objects' values they hold (0 once unloaded: the storage is dropped). */
  shadow?: { fields: string[]; entries: number };
}

/** Loaded patches oldest first, then retained ones, then rolled-back ones no longer held. */
export function describePatches(state: HostState): HPInfo[] {
  const loaded = [...state.patches.values()].sort((a, b) => a.order - b.order);
  const retained = [...state.retained.values()].sort((a, b) => a.order - b.order);
  const rolled = [...state.history.values()].filter((p) => !state.retained.has(p.id) && !state.patches.has(p.id));
  return [...loaded, ...retained, ...rolled].map((p) => describe(state, p));
}

function describe(state: HostState, p: LoadedPatch): HPInfo {
  const kind = state.patches.has(p.id) ? "loaded" : state.retained.has(p.id) ? "retained" : "rolled_back";
  return {
    hp_id: p.id,
    config: { hp_file: p.config.hp_file, replace_config: { ...p.config.replace_config }, ref_config: { ...p.config.ref_config } },
    replaces: p.replaces.map((r) => ({ symbol: r.symbol, export: r.export, in_force: state.swap.ownerAt(r.slot) === p.id })),
    refs: p.refs.map((r) => ({ ...r })),
    order: p.order,
    loaded_at: p.loadedAt.toISOString(),
    sha256: p.sha256,
    size: p.size,
    state: kind,
    ...(kind === "retained" && p.retained ? { retained_reason: p.retained.reason } : {}),
    ...(p.policy ? { policy: { ...p.policy }, traps: p.traps.total } : {}),
    ...(p.rolledBack ? { rolled_back: { reason: p.rolledBack.reason, at: p.rolledBack.at.toISOString() } } : {}),
    ...(p.dataRanges.length > 0 ? { data: p.dataRanges.map((r) => ({ ...r })) } : {}),
    ...(p.classes.length > 0 ? { classes: p.classes.map((c) => c.name) } : {}),
    ...(p.shadow ? { shadow: { fields: [...p.shadow.fields], entries: kind === "loaded" && p.shadow.entries ? p.shadow.entries() : 0 } } : {}),
  };
}
