// Checks the managed classes of a patch build against the base: the base's classes must keep
// their runtime ids and layouts; the patch's new classes come after them.

import type { Program } from "assemblyscript";
import { HotwasmError } from "../../host/errors.js";
import type { Manifest } from "../../host/model/manifest.js";
import { describeClasses, type ClassInfo } from "../common/class-layout.js";

/** The outcome: the classes the patch adds (ids after the base's). */
export interface ClassCheck {
  added: ClassInfo[];
  /** Number of classes the base has (its RTTI count). */
  baseCount: number;
}

/** Throws E_CLASS_ID_MISMATCH or E_LAYOUT_MISMATCH when the patch build disagrees with the base. */
export function checkClasses(program: Program, manifest: Manifest): ClassCheck {
  const combined = describeClasses(program);
  const byId = new Map(combined.map((c) => [c.id, c]));
  const byName = new Map(combined.map((c) => [c.name, c]));
  for (const base of manifest.classes) {
    const same = byId.get(base.id);
    if (!same || same.name !== base.name) {
      const moved = byName.get(base.name);
      throw new HotwasmError("E_CLASS_ID_MISMATCH", `class ${base.name} has id ${base.id} in the base but ${moved ? moved.id : "none"} in the patch build`);
    }
    if (same.layout !== base.layout) {
      throw new HotwasmError("E_LAYOUT_MISMATCH", `class ${base.name} changed its layout: base "${base.layout}", patch "${same.layout}"`);
    }
  }
  const baseCount = manifest.classes.length === 0 ? 0 : Math.max(...manifest.classes.map((c) => c.id)) + 1;
  return { added: combined.filter((c) => c.id >= baseCount), baseCount };
}
