// A patch calls the base's own standard-library functions (its allocator and collector, string,
// array and map code) where the base exports them (compiler/base/export-library.ts), instead of
// carrying copies: the patch stays small, and the runtime's state is worked on by the runtime's
// own code. Small functions stay private copies: the patch's optimiser inlines them, a call into
// the base it could not.

import { childrenOf } from "../common/expression-children.js";
import { typeNames, type Binaryen, type BinaryenModule } from "../common/binaryen-util.js";
import type { Manifest } from "../../host/model/manifest.js";
import { BASE_MODULE } from "./patch-transform.js";

/** Functions of fewer expressions than this are copied, not imported. */
export const MIN_IMPORTED_SIZE = 24;

/** Turns each function of `module` the base exports as a library function into an import of it; returns their names. */
export function importLibrary(b: Binaryen, module: BinaryenModule, manifest: Manifest): string[] {
  const library = new Map(manifest.functions.filter((f) => f.slot === null && f.export).map((f) => [f.name, f]));
  if (library.size === 0) return [];
  const chosen: { name: string; params: number; results: number }[] = [];
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const f = b.getFunctionInfo(module.getFunctionByIndex(i));
    const base = library.get(f.name);
    if (!base || f.module || !f.body) continue;
    if (typeNames(b, f.params).join() !== base.params.join() || typeNames(b, f.results).join() !== base.results.join()) continue;
    if (!f.name.startsWith("~lib/rt/") && sizeOf(b, f.body, f.name) < MIN_IMPORTED_SIZE) continue;
    chosen.push({ name: f.name, params: f.params, results: f.results });
  }
  for (const f of chosen) {
    module.removeFunction(f.name);
    module.addFunctionImport(f.name, BASE_MODULE, f.name, f.params, f.results);
  }
  return chosen.map((f) => f.name);
}

/** The number of expressions in a body, counted up to a little past MIN_IMPORTED_SIZE. */
function sizeOf(b: Binaryen, body: number, where: string): number {
  let count = 0;
  const stack = [body];
  while (stack.length > 0 && count <= MIN_IMPORTED_SIZE) {
    const e = stack.pop()!;
    count++;
    stack.push(...childrenOf(b, e, b.getExpressionId(e), where));
  }
  return count;
}
