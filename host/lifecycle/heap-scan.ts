// Asks the base's collector what an unloaded patch is still needed for. After a full collection
// the incremental collector's lists hold exactly the objects reachable from the program's roots
// (static objects included), so: a live object of a patch's class keeps that class's support in
// force, and a live object inside a patch's static data keeps that data. Unmanaged pointers are
// only looked for in the program's own globals that can hold an address (conservatively: a value
// in the range counts); a global declared as a plain number (`i32`, `u32`, …) is a number.

import type { Manifest } from "../model/manifest.js";

/** A patch's static data ranges. */
export interface ScanTarget {
  owner: string;
  ranges: { start: number; end: number }[];
}

const HEADER = 20; // BLOCK mmInfo + OBJECT nextWithColor, prev, rtId, rtSize

/** True when the base's collector can be asked (the incremental runtime). */
export function canScan(manifest: Manifest): boolean {
  return manifest.compiler.flags.runtime === "incremental";
}

/** Runs a full collection; returns the class ids of live objects outside the targets' data, and the owners with live objects in their data. */
export function scanLive(manifest: Manifest, exports: WebAssembly.Exports, targets: ScanTarget[]): { classIds: Set<number>; linked: Set<string> } {
  (exports.__collect as () => void)();
  const view = new DataView((exports[manifest.memory.export] as WebAssembly.Memory).buffer);
  const classIds = new Set<number>();
  const linked = new Set<string>();
  const limit = view.byteLength / HEADER;
  for (const name of ["~lib/rt/itcms/fromSpace", "~lib/rt/itcms/toSpace", "~lib/rt/itcms/pinSpace"]) {
    const head = globalValue(manifest, exports, name);
    if (!head) continue;
    let count = 0;
    for (let obj = next(view, head); obj !== head && obj !== 0 && count < limit; obj = next(view, obj), count++) {
      const owner = targets.find((t) => t.ranges.some((r) => obj >= r.start && obj < r.end));
      if (owner) linked.add(owner.owner);
      else classIds.add(view.getUint32(obj + 12, true));
    }
  }
  return { classIds, linked };
}

/** The program's own globals (not the runtime's) whose value lies in a target's range, by owner. */
export function globalsPointingInto(manifest: Manifest, exports: WebAssembly.Exports, targets: ScanTarget[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const g of manifest.globals) {
    if (g.type !== "i32" || g.name.startsWith("~") || !mayHoldAddress(g.asType)) continue;
    const value = Number((exports[g.export] as WebAssembly.Global).value);
    for (const t of targets) {
      if (!out.has(t.owner) && t.ranges.some((r) => value >= r.start && value < r.end)) out.set(t.owner, `global ${g.name} points into its static data`);
    }
  }
  return out;
}

/** Declared number types that are not pointer-sized by intent (AssemblyScript writes addresses as usize). */
const NUMBER_TYPES = new Set(["bool", "i8", "u8", "i16", "u16", "i32", "u32"]);

/** False for a global declared as a plain number; unknown types (older manifests) may hold an address. */
function mayHoldAddress(asType: string | undefined): boolean {
  return asType === undefined || !NUMBER_TYPES.has(asType);
}

function globalValue(manifest: Manifest, exports: WebAssembly.Exports, name: string): number {
  const g = manifest.globals.find((x) => x.name === name);
  return g ? Number((exports[g.export] as WebAssembly.Global).value) : 0;
}

function next(view: DataView, obj: number): number {
  if (obj + 8 > view.byteLength) return 0;
  return view.getUint32(obj + 4, true) & ~3;
}
