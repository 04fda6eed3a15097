// The rewrite that makes a module patchable (DESIGN.md §2, guarded dispatch): each patchable
// function f keeps its name and its body, behind a guard at its entry,
//   f = if (global $flag) call_indirect slot else <f's body>
// and sits in the shared table at `slot` until a patch takes the slot. The table, memory, every
// global, every patchable function and flag are exported for the host.

import type { Program } from "assemblyscript";
import { RewriteError, typeNames, type Binaryen, type BinaryenModule } from "../common/binaryen-util.js";
import { reserveArena, type Arena } from "./reserve-arena.js";
import { choosePatchable } from "./select-functions.js";
import type { Manifest, ManifestFunction, ManifestGlobal } from "../../host/model/manifest.js";

/** Options of the rewrite. */
export interface PatchableOptions {
  /** Globs adding (GLOB) or removing (!GLOB) patchable functions. */
  patchable: readonly string[];
  /** Bytes reserved for patches' static data. */
  arenaSize: number;
  /** Functions whose source marks them as not patchable. */
  noPatch?: ReadonlySet<string>;
  /** Embed the program's own sources (for `hotwasm diff`); default true. */
  sources?: boolean;
}

/** What the rewrite produced, for the manifest. */
export interface RewriteOutcome {
  functions: ManifestFunction[];
  globals: ManifestGlobal[];
  table: { export: string; firstSlot: number; size: number };
  memory: { export: string };
  arena: Arena;
  /** Safepoint polls inserted afterwards (insert-safepoints.ts), if any. */
  safepoints?: NonNullable<Manifest["safepoints"]> | null;
}

const TABLE_EXPORT = "hotwasm:table";
const MEMORY_EXPORT = "hotwasm:memory";
const FLAG_PREFIX = "hotwasm$flag$";
/** The base's globals visitor; patches chain their own in front of an unpatched copy of it. */
const VISIT_GLOBALS = "~lib/rt/__visit_globals";
/** Export of that unpatched copy (the end of every patch's chain). */
export const VISIT_GLOBALS_BASE = "hotwasm:visit_globals_base";
/** The RTTI pointer; mutable so the host can point it at a patch's longer RTTI table. */
const RTTI_BASE = "~lib/rt/__rtti_base";

/** Rewrites `module` in place. */
export function makePatchable(b: Binaryen, module: BinaryenModule, program: Program, options: PatchableOptions): RewriteOutcome {
  const defined = definedFunctions(b, module);
  const tableName = ensureTable(b, module);
  const tableRef = module.getTable(tableName);
  const firstSlot = Math.max(1, b.Table.getInitial(tableRef));
  const functions: ManifestFunction[] = [];
  const entries: string[] = [];
  for (const f of defined) {
    const choice = choosePatchable(
      { name: f.name, isFieldAccessor: isFieldAccessor(program, f.name), markedNoPatch: options.noPatch?.has(f.name) },
      options.patchable,
    );
    const entry: ManifestFunction = {
      name: f.name, params: typeNames(b, f.params), results: typeNames(b, f.results),
      slot: null, export: null, flag: null, signature: signatureOf(program, f.name),
    };
    if (choice.patchable) {
      if (f.name === VISIT_GLOBALS) keepUnpatchedCopy(b, module, f);
      const slot = firstSlot + entries.length;
      entries.push(installDispatcher(b, module, tableName, f, slot));
      entry.slot = slot;
      entry.export = `hotwasm:fn:${slot}`;
      entry.flag = `hotwasm:flag:${slot}`;
    } else {
      entry.reason = choice.reason;
    }
    functions.push(entry);
  }
  const size = firstSlot + entries.length;
  b.Table.setInitial(tableRef, size);
  b.Table.setMax(tableRef, 0xffffffff); // no maximum: patches may add function references
  if (entries.length > 0) module.addActiveElementSegment(tableName, "hotwasm:slots", entries, module.i32.const(firstSlot));
  module.addTableExport(tableName, TABLE_EXPORT);
  if (!module.hasMemory()) throw new RewriteError("the module has no memory");
  module.addMemoryExport("0", MEMORY_EXPORT);
  const arena = reserveArena(b, module, options.arenaSize, program.options.lowMemoryLimit);
  makeMutable(b, module, RTTI_BASE);
  const globals = exportGlobals(b, module, program);
  return { functions, globals, table: { export: TABLE_EXPORT, firstSlot, size }, memory: { export: MEMORY_EXPORT }, arena };
}

interface FunctionInfo {
  name: string;
  params: number;
  results: number;
  vars: number[];
}

function definedFunctions(b: Binaryen, module: BinaryenModule): FunctionInfo[] {
  const out: FunctionInfo[] = [];
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const info = b.getFunctionInfo(module.getFunctionByIndex(i));
    if (info.module) continue; // imported
    out.push({ name: info.name, params: info.params, results: info.results, vars: info.vars });
  }
  return out;
}

function ensureTable(b: Binaryen, module: BinaryenModule): string {
  if (module.getNumTables() > 0) {
    const info = b.getTableInfo(module.getTableByIndex(0));
    if (info.module) throw new RewriteError("the table is imported (--importTable); hotwasm needs the base to own its table");
    return info.name;
  }
  module.addTable("0", 1, 1);
  return "0";
}

/** The internal name of the flag global guarding `slot`. */
export function flagGlobalOf(slot: number): string {
  return `${FLAG_PREFIX}${slot}`;
}

/** Guards f's body with the dispatch; f itself fills the slot while unpatched. Returns f's name. */
function installDispatcher(b: Binaryen, module: BinaryenModule, table: string, f: FunctionInfo, slot: number): string {
  const ref = module.getFunction(f.name);
  const flag = flagGlobalOf(slot);
  module.addGlobal(flag, b.i32, true, module.i32.const(0));
  module.addGlobalExport(flag, `hotwasm:flag:${slot}`);
  const args = b.expandType(f.params).map((t, i) => module.local.get(i, t));
  // The check sits at f's entry, not at its call sites: a recursive or inlined call checks once,
  // and f's own code stays one function for Binaryen. Invariant: the flag is 1 only while the
  // slot holds a patch, so the indirect call never lands on f itself.
  const body = module.if(
    module.global.get(flag, b.i32),
    module.call_indirect(table, module.i32.const(slot), args, f.params, f.results),
    b.Function.getBody(ref),
  );
  b.Function.setBody(ref, body);
  module.addFunctionExport(f.name, `hotwasm:fn:${slot}`);
  return f.name;
}

function exportGlobals(b: Binaryen, module: BinaryenModule, program: Program): ManifestGlobal[] {
  const out: ManifestGlobal[] = [];
  for (let i = 0; i < module.getNumGlobals(); i++) {
    const info = b.getGlobalInfo(module.getGlobalByIndex(i));
    if (info.name.startsWith(FLAG_PREFIX)) continue;
    const exportName = `hotwasm:global:${out.length}`;
    module.addGlobalExport(info.name, exportName);
    const asType = asTypeOf(program, info.name);
    out.push({ name: info.name, type: typeNames(b, info.type)[0]!, mutable: info.mutable, export: exportName, ...(asType ? { asType } : {}) });
  }
  return out;
}

/** Adds and exports a copy of f's current body that never dispatches to a patch. */
function keepUnpatchedCopy(b: Binaryen, module: BinaryenModule, f: FunctionInfo): void {
  const name = `${f.name}$unpatched`;
  module.addFunction(name, f.params, f.results, f.vars, module.copyExpression(b.Function.getBody(module.getFunction(f.name))));
  module.addFunctionExport(name, VISIT_GLOBALS_BASE);
}

function makeMutable(b: Binaryen, module: BinaryenModule, name: string): void {
  const ref = module.getGlobal(name);
  if (!ref) return;
  const info = b.getGlobalInfo(ref);
  if (info.mutable || info.module) return;
  const init = b.getExpressionInfo(info.init) as { id: number; value?: number };
  if (init.id !== b.ConstId || typeof init.value !== "number") throw new RewriteError(`${name} has no constant initialiser`);
  module.removeGlobal(name);
  module.addGlobal(name, info.type, true, module.i32.const(init.value));
}

function isFieldAccessor(program: Program, name: string): boolean {
  const m = /#[gs]et:(.+)$/.exec(name);
  if (!m) return false;
  const element = program.instancesByName.get(name) as { parent?: { members?: Map<string, { isField?: boolean }> } } | undefined;
  const member = element?.parent?.members?.get(m[1]!);
  return member?.isField ?? true;
}

function asTypeOf(program: Program, name: string): string | undefined {
  const element = program.elementsByName.get(name) as { type?: { toString(): string } } | undefined;
  return element?.type?.toString();
}

function signatureOf(program: Program, name: string): string | undefined {
  const element = program.instancesByName.get(name) as { signature?: { toString(): string } } | undefined;
  return element?.signature?.toString();
}
