// Which functions a patch replaces: the patch file's exported functions (by default the app
// function of the same name), an explicit list of targets (diff), and the virtual-call stubs a
// patch adding subclasses must replace.

import { CommonFlags, NodeKind, type Program } from "assemblyscript";
import { HotwasmError } from "../../host/errors.js";
import type { ManifestFunction } from "../../host/model/manifest.js";
import type { SymbolTable } from "../../host/model/symbols.js";
import { HOOK_NAMES } from "../../host/model/hook-names.js";
import { hasFunction, typeNames, type Binaryen, type BinaryenModule } from "../common/binaryen-util.js";
import type { PatchCut } from "./patch-cut.js";

/** A replacement: the patch function and the base function it replaces. */
export interface Target { internal: string; target: string }

/** The patch file's exported functions (hooks aside) and the base functions they replace. */
export function findReplacements(b: Binaryen, module: BinaryenModule, program: Program, cut: PatchCut, symbols: SymbolTable): Record<string, Target> {
  const out: Record<string, Target> = {};
  for (const name of exportedFunctionNames(program, cut.patchPath ?? "")) {
    const internal = `${cut.patchPath}/${name}`;
    if ((HOOK_NAMES as readonly string[]).includes(name) || internal === cut.migrate || !hasFunction(module, internal)) continue;
    const e = { name };
    const query = cut.replace[e.name] ?? name;
    let target: ManifestFunction;
    try {
      target = symbols.resolveFunction(cut.replace[e.name] ? query : `main.${query}`);
    } catch (err) {
      if (cut.replace[e.name] || !(err instanceof HotwasmError) || err.code !== "E_UNKNOWN_SYMBOL") throw err;
      target = symbols.resolveFunction(query);
    }
    if (target.slot === null) throw new HotwasmError("E_NOT_PATCHABLE", `${target.name} is not patchable (${target.reason ?? "excluded"})`);
    const info = b.getFunctionInfo(module.getFunction(internal));
    const params = typeNames(b, info.params).join();
    const results = typeNames(b, info.results).join();
    if (params !== target.params.join() || results !== target.results.join()) {
      throw new HotwasmError("E_SIGNATURE_MISMATCH", `${internal} (${params}) -> (${results}) cannot replace ${target.name} (${target.params.join()}) -> (${target.results.join()})`);
    }
    out[e.name] = { internal, target: target.name };
  }
  for (const name of Object.keys(cut.replace)) {
    if (!out[name]) throw new HotwasmError("E_UNKNOWN_EXPORT", `--replace names ${name}, but the patch exports no function of that name`);
  }
  if (Object.keys(out).length === 0) throw new HotwasmError("E_UNKNOWN_EXPORT", "the patch exports no function to replace anything with");
  return out;
}

/** The new versions of `targets` (internal names), exported under those names. */
export function targetReplacements(b: Binaryen, module: BinaryenModule, targets: string[], baseFns: Map<string, ManifestFunction>): Record<string, Target> {
  const out: Record<string, Target> = {};
  for (const name of targets) {
    const base = baseFns.get(name);
    if (!base || base.slot === null) throw new HotwasmError("E_NOT_PATCHABLE", `${name} is not a patchable function of the base`);
    if (!hasFunction(module, name)) throw new HotwasmError("E_UNKNOWN_SYMBOL", `${name} is not in the new build`);
    const info = b.getFunctionInfo(module.getFunction(name));
    if (typeNames(b, info.params).join() !== base.params.join() || typeNames(b, info.results).join() !== base.results.join()) {
      throw new HotwasmError("E_SIGNATURE_MISMATCH", `${name} changed its signature`);
    }
    out[name] = { internal: name, target: name };
  }
  return out;
}

/** A patch adding classes replaces the base's virtual-call stubs with ones that know its classes. */
export function addVirtualStubs(b: Binaryen, module: BinaryenModule, baseFns: Map<string, ManifestFunction>, out: Record<string, Target>): void {
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const name = b.getFunctionInfo(module.getFunctionByIndex(i)).name;
    if (/@(override|virtual)$/.test(name) && baseFns.get(name)?.slot != null) out[`hotwasm:virtual:${name}`] = { internal: name, target: name };
  }
}

/** Names of the functions the patch file exports (`export function NAME`). */
function exportedFunctionNames(program: Program, patchPath: string): string[] {
  const sources = program.sources as unknown as { internalPath: string; statements: { kind: number; flags: number; name?: { text: string } }[] }[];
  const source = sources.find((s) => s.internalPath === patchPath);
  return (source?.statements ?? [])
    .filter((st) => st.kind === NodeKind.FunctionDeclaration && (st.flags & CommonFlags.Export) !== 0 && st.name)
    .map((st) => st.name!.text);
}

