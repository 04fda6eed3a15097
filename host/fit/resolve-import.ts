// What one import of a patch binds to: `ref.*` and `hotwasm:base.*` to base symbols, `hotwasm:link.*`
// to the placement the host chose, env.memory / env.table to the base's, `hotwasm.countdown` to the
// base's safepoint countdown, anything else to the base's own imports (`hotwasm.poll` included).
// Checks only; host/link/bind-import.ts turns a binding into the value.

import type { EffectiveConfig } from "../model/config.js";
import { HotwasmError } from "../errors.js";
import { formatFuncType, sameFuncType, type ImportEntry } from "../wasm/wasm-reader.js";
import type { BaseFacts, Binding, FitPlan } from "./fit-types.js";
import { ownValue } from "../model/symbol-map.js";

/** The import module of base symbols by internal name (patches built by `hotwasm patch`). */
export const BASE_MODULE = "hotwasm:base";
/** The import module of placement values. */
export const LINK_MODULE = "hotwasm:link";

/** The binding of `imp`, or a HotwasmError saying why there is none. */
export function resolveImport(base: BaseFacts, imp: ImportEntry, config: EffectiveConfig, refs: FitPlan["refs"]): Binding {
  const where = `import "${imp.module}.${imp.name}"`;
  if (imp.module === "ref" || imp.module === BASE_MODULE) {
    const symbol = imp.module === "ref" ? ownValue(config.ref_config, imp.name) ?? imp.name : imp.name;
    const sym = base.symbols.resolve(symbol);
    if (imp.module === "ref") refs.push({ name: imp.name, symbol: sym.name });
    if (imp.kind === "function" && sym.kind === "function") {
      if (!sameFuncType(imp.func!, sym.fn)) {
        throw new HotwasmError("E_SIGNATURE_MISMATCH", `${where} has type ${formatFuncType(imp.func!)} but ${sym.name} has ${formatFuncType(sym.fn)}`);
      }
      if (!sym.fn.export) throw new HotwasmError("E_NOT_PATCHABLE", `${where}: ${sym.name} is not patchable, so it cannot be referenced`);
      return { kind: "export", name: sym.fn.export };
    }
    if (imp.kind === "global" && sym.kind === "global") {
      const want = sym.global;
      if (imp.global!.type !== want.type || imp.global!.mutable !== want.mutable) {
        const fmt = (t: { type: string; mutable: boolean }) => `${t.mutable ? "mut " : ""}${t.type}`;
        throw new HotwasmError("E_GLOBAL_TYPE_MISMATCH", `${where} is ${fmt(imp.global!)} but ${sym.name} is ${fmt(want)}`);
      }
      return { kind: "export", name: want.export };
    }
    throw new HotwasmError("E_IMPORT_KIND_MISMATCH", `${where} is a ${imp.kind} import but ${sym.name} is a ${sym.kind}`);
  }
  if (imp.module === LINK_MODULE) {
    const value = imp.name === "memory_base" ? base.placement?.memoryBase : imp.name === "table_base" ? base.placement?.tableBase : undefined;
    if (value === undefined || imp.kind !== "global" || imp.global!.type !== "i32" || imp.global!.mutable) {
      throw new HotwasmError("E_UNRESOLVED_IMPORT", `${where}: only a patch with a placement section may import an immutable i32 memory_base or table_base`);
    }
    return { kind: "placement", value };
  }
  if (imp.module === "env" && imp.name === "memory") {
    if (imp.kind !== "memory") throw new HotwasmError("E_IMPORT_KIND_MISMATCH", `${where} must be a memory import`);
    return { kind: "memory" };
  }
  if (imp.module === "env" && imp.name === "table") {
    if (imp.kind !== "table") throw new HotwasmError("E_IMPORT_KIND_MISMATCH", `${where} must be a table import`);
    return { kind: "table" };
  }
  if (imp.module === "hotwasm" && imp.name === "countdown") {
    // The base's safepoint countdown, shared with the patch's own poll sites (compiler/patch/patch-safepoints.ts).
    const countdown = base.manifest.safepoints?.countdown;
    if (!countdown || imp.kind !== "global" || imp.global!.type !== "i32" || !imp.global!.mutable) {
      throw new HotwasmError("E_UNRESOLVED_IMPORT", `${where}: only a mutable i32 global of a base built with safepoints`);
    }
    return { kind: "export", name: countdown };
  }
  if (imp.kind === "memory") throw new HotwasmError("E_MULTIPLE_MEMORIES", `${where}: the only memory a patch may import is env.memory`);
  const provided = base.baseImport(imp.module, imp.name);
  if (provided === undefined) {
    throw new HotwasmError("E_UNRESOLVED_IMPORT", `${where}: neither a base symbol (use module "ref") nor one of the base's imports`, {
      details: { module: imp.module, name: imp.name },
    });
  }
  if (provided !== "unknown" && (imp.kind === "function") !== (provided === "function")) {
    throw new HotwasmError("E_IMPORT_KIND_MISMATCH", `${where} is a ${imp.kind} import but the base's import is ${provided === "function" ? "a function" : "not a function"}`);
  }
  return { kind: "base-import", module: imp.module, name: imp.name };
}
