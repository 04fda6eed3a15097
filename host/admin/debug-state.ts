// What the /hpdebug page shows, as data: the base build, the patches in stack order with the
// functions each replaces, the per-function stacks, retained and rolled-back patches, the RPC
// methods with their call counts, and the recent host events. `?format=json` serves it as is.

import type { HostEvent } from "../model/events.js";
import type { HPInfo } from "../core/host.js";
import type { AdminTarget } from "./admin-target.js";
import { countFunctions } from "../model/function-counts.js";

/** The debug page's content. */
export interface DebugState {
  base: { build_id: string; compiler: string; flags: Record<string, string | number | boolean>; patchable_functions: number; functions: number };
  /** Loaded patches, oldest first (the order they stack in). */
  patches: HPInfo[];
  /** Every replaced function with the patches stacked on it, oldest first; the last is in force. */
  functions: { symbol: string; stack: string[] }[];
  retained: HPInfo[];
  rolled_back: HPInfo[];
  services: { name: string; methods: { name: string; calls: number }[] }[];
  events: HostEvent[];
}

/** Collects the debug state of `host`. */
export function collectDebugState(host: AdminTarget, calls: Map<string, number>, events: HostEvent[]): DebugState {
  const info = host.getHPInfo();
  const patches = info.filter((p) => p.state === "loaded");
  const symbols = [...new Set(patches.flatMap((p) => p.replaces.map((r) => r.symbol)))].sort();
  const { manifest } = host;
  const counts = countFunctions(manifest);
  return {
    base: {
      build_id: manifest.buildId,
      compiler: `${manifest.compiler.name} ${manifest.compiler.version}`,
      flags: { ...manifest.compiler.flags },
      // The program's own functions, counted as `hotwasm inspect` counts them.
      patchable_functions: counts.patchable,
      functions: counts.own,
    },
    patches,
    functions: symbols.map((symbol) => ({ symbol, stack: host.patchStack(symbol) })),
    retained: info.filter((p) => p.state === "retained"),
    rolled_back: info.filter((p) => p.state === "rolled_back"),
    services: [{ name: "HP", methods: [...calls].map(([name, n]) => ({ name, calls: n })) }],
    events,
  };
}
