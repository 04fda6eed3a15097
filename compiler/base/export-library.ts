// Exports the base's standard-library functions that survive optimisation, so that a patch calls
// them (its allocator and collector, string and array code) instead of bringing copies of its
// own. Done after the optimiser, so the exports change nothing it decided (inlining included);
// a function whose type the optimiser changed (a parameter or result dropped, a constant argument
// folded in) is not exported, since its contract is no longer the one patches are compiled against.
// The list goes into the "hotwasm.library" section (host/model/manifest.ts, withLibrary).

import type { Program } from "assemblyscript";
import { libraryFiles } from "assemblyscript/asc";
import { typeNames, type Binaryen, type BinaryenModule } from "../common/binaryen-util.js";
import type { ManifestFunction } from "../../host/model/manifest.js";

/** Generated functions that are the same in every build of the same compiler and options. */
const GENERATED = new Set(["~stack_check"]);

/** The non-patchable functions of `functions` that come from asc's standard library. */
export function libraryFunctions(program: Program, functions: readonly ManifestFunction[]): ManifestFunction[] {
  const instances = program.instancesByName as unknown as Map<string, { declaration?: { range?: { source?: { internalPath: string } } } }>;
  return functions.filter((f) => {
    if (f.slot !== null) return false;
    if (GENERATED.has(f.name)) return true;
    const path = instances.get(f.name)?.declaration?.range?.source?.internalPath;
    return path !== undefined && path.startsWith("~lib/") && Object.prototype.hasOwnProperty.call(libraryFiles, path.slice(5));
  });
}

/** Exports each candidate the optimised module still has with its manifest type; returns internal name -> export. */
export function exportLibrary(b: Binaryen, module: BinaryenModule, candidates: readonly ManifestFunction[]): Record<string, string> {
  const out: Record<string, string> = {};
  const exported = new Set<string>();
  for (let i = 0; i < module.getNumExports(); i++) {
    const e = b.getExportInfo(module.getExportByIndex(i));
    if (e.kind === b.ExternalFunction) exported.add(e.name);
  }
  let n = 0;
  for (const f of candidates) {
    const ref = module.getFunction(f.name);
    if (!ref) continue;
    const info = b.getFunctionInfo(ref);
    if (info.module || typeNames(b, info.params).join() !== f.params.join() || typeNames(b, info.results).join() !== f.results.join()) continue;
    let name = `hotwasm:lib:${n++}`;
    while (exported.has(name)) name = `hotwasm:lib:${n++}`;
    module.addFunctionExport(f.name, name);
    out[f.name] = name;
  }
  return out;
}

/** The "hotwasm.library" section's bytes. */
export function encodeLibrary(functions: Record<string, string>): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ functions }));
}
