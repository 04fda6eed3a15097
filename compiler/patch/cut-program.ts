// The cut of one relocation build (patch-transform.ts), with what relocation needs besides: where
// the build put its static data and its RTTI table.

import type { Program } from "assemblyscript";
import type binaryenNs from "binaryen";
import type { Binaryen } from "../common/binaryen-util.js";
import { cutPatch, type CutResult } from "./patch-transform.js";
import type { PatchCut } from "./patch-cut.js";
import { importLibrary } from "./import-library.js";

/** A cut and its build's layout. */
export type ProgramCut = CutResult & {
  /** Where the build's static data starts. */
  memoryBase: number;
  /** The RTTI table's offset from memoryBase, if the build has one. */
  rttiOffset: number | null;
};

/** Cuts the unoptimised module of a build at `memoryBase`; library functions the base exports are called there. */
export function cutProgram(b: Binaryen, module: binaryenNs.Module, program: Program, cut: PatchCut, memoryBase: number): ProgramCut {
  const rtti = constantGlobal(b, module, "~lib/rt/__rtti_base");
  importLibrary(b, module, cut.manifest);
  return { ...cutPatch(b, module, program, cut), memoryBase, rttiOffset: rtti === null ? null : rtti - memoryBase };
}

function constantGlobal(b: Binaryen, module: binaryenNs.Module, name: string): number | null {
  const ref = module.getGlobal(name);
  if (!ref) return null;
  const init = b.getExpressionInfo(b.getGlobalInfo(ref).init) as { id: number; value?: number };
  return init.id === b.ConstId && typeof init.value === "number" ? init.value : null;
}
