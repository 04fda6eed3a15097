// What getHPInfo reports: hotgo's HPInfo (hp_id, config) plus what hotwasm knows of each patch.

import type { EffectiveConfig } from "./config.js";
import type { HostState } from "./host-state.js";

/** One loaded patch as `getHPInfo` reports it: hotgo's HPInfo plus what hotwasm knows. */
export interface HPInfo {
  hp_id: string;
  config: EffectiveConfig;
  replaces: { symbol: string; export: string; in_force: boolean }[];
  refs: { name: string; symbol: string }[];
  order: number;
  loaded_at: string;
  sha256: string;
  size: number;
  /** "retained": unloaded, but kept because the program may still use its data or classes. */
  state: "loaded" | "retained";
  retained_reason?: string;
  /** Its static data in the patch arena. */
  data?: { start: number; end: number }[];
  /** Classes it adds to the base's. */
  classes?: string[];
}

/** The loaded patches, oldest first, then the retained ones. */
export function describePatches(state: HostState): HPInfo[] {
    return [...state.patches.values(), ...state.retained.values()]
      .sort((a, b) => Number(!!a.retained) - Number(!!b.retained) || a.order - b.order)
      .map((p) => ({
        hp_id: p.id,
        config: { hp_file: p.config.hp_file, replace_config: { ...p.config.replace_config }, ref_config: { ...p.config.ref_config } },
        replaces: p.replaces.map((r) => ({ symbol: r.symbol, export: r.export, in_force: state.swap.ownerAt(r.slot) === p.id })),
        refs: p.refs.map((r) => ({ ...r })),
        order: p.order,
        loaded_at: p.loadedAt.toISOString(),
        sha256: p.sha256,
        size: p.size,
        state: p.retained ? ("retained" as const) : ("loaded" as const),
        ...(p.retained ? { retained_reason: p.retained.reason } : {}),
        ...(p.dataRanges.length > 0 ? { data: p.dataRanges.map((r) => ({ ...r })) } : {}),
        ...(p.classes.length > 0 ? { classes: p.classes.map((c) => c.name) } : {}),
      }));
}
