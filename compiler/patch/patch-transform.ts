// The asc transform behind `hotwasm patch`: the app's entries and the patch file are compiled
// together, then the combined module is cut down to a patch before optimisation: the base's
// patchable functions and all its globals become imports of the running base, its other code
// stays as private copies working on the base's state, only the patch's replacements, hooks and
// runtime hooks are exported. Static data and table entries are captured separately for
// relocation (see relocate-patch.ts).

import type { Program } from "assemblyscript";
import { HotwasmError } from "../../host/errors.js";
import type { Manifest, ManifestFunction } from "../../host/model/manifest.js";
import { SymbolTable } from "../../host/model/symbols.js";
import { FINALIZE_FUNCTION, HOOK_NAMES, INIT_GLOBALS_EXPORT, MIGRATE_EXPORT } from "../../host/model/hook-names.js";
import { SUPPORT_ENTRIES, SUPPORT_FINALIZE, SUPPORT_MIGRATE } from "./support-file.js";
import { migrationOf } from "./program-setup.js";
import { dataSegments, hasFunction, typeNames, type Binaryen, type BinaryenModule } from "../common/binaryen-util.js";
import type { PatchCut } from "./patch-cut.js";

export type { PatchCut } from "./patch-cut.js";
import { addVirtualStubs, findReplacements, targetReplacements } from "./patch-replacements.js";
import { checkClasses, type ClassCheck } from "./check-classes.js";
import { compilerFlags } from "../base/manifest-builder.js";
import { addInitialiser, startStatements, type StartStatement } from "../common/start-code.js";

/** The import module of base symbols, by internal name. */
export const BASE_MODULE = "hotwasm:base";
/** Export names of the runtime hooks and the init function of a patch. */
export const PATCH_EXPORTS = {
  init: "hotwasm:init",
  visitMembers: "hotwasm:visit_members",
  visitGlobals: "hotwasm:visit_globals",
  visitNext: "hotwasm:visit_next",
  finalize: "hotwasm:finalize",
  finalizeNext: "hotwasm:finalize_next",
  shadowEntries: "hotwasm:shadow_entries",
  initGlobals: INIT_GLOBALS_EXPORT,
  migrate: MIGRATE_EXPORT,
} as const;

/** What the cut produced: the module's text without data and elements, captured separately. */
export interface CutResult {
  text: string;
  data: { offset: number; bytes: Uint8Array }[];
  elements: { offset: number; names: string[] }[];
  replace: Record<string, string>;
  classes: ClassCheck;
  features: number;
}

const FLAGS_IGNORED = new Set(["optimizeLevel", "shrinkLevel", "memoryBase", "tableBase"]);

/** Cuts the combined module down to a patch; throws HotwasmError for what cannot be patched. */
export function cutPatch(b: Binaryen, module: BinaryenModule, program: Program, given: PatchCut): CutResult {
  // The migration is the program's (program-setup.ts), unless the caller leaves it out (null).
  const cut = { ...given, migrate: given.migrate === undefined ? migrationOf(program) : given.migrate };
  checkCompiler(program, cut);
  const classes = checkClasses(program, cut.manifest);
  const symbols = new SymbolTable(cut.manifest);
  const baseFns = new Map(cut.manifest.functions.map((f) => [f.name, f]));
  const replacements = cut.targets ? targetReplacements(b, module, cut.targets, baseFns) : findReplacements(b, module, program, cut, symbols);
  if (classes.added.length > 0) addVirtualStubs(b, module, baseFns, replacements);
  const own = new Set(Object.values(replacements).map((r) => r.internal));
  const hooks = cut.patchPath === null ? [] : HOOK_NAMES.filter((h) => hasFunction(module, `${cut.patchPath}/${h}`));
  for (const h of hooks) own.add(`${cut.patchPath}/${h}`);

  // The stub runtime has no collector, hence no visitor to bring.
  const visitMembers = classes.added.length > 0 && hasFunction(module, "~lib/rt/__visit_members");
  if (visitMembers) copyFunction(b, module, "~lib/rt/__visit_members", PATCH_EXPORTS.visitMembers);
  const ownGlobals = patchOwnGlobals(b, module, cut.manifest);
  const chainGlobals = ownGlobals.length > 0 && baseFns.get("~lib/rt/__visit_globals")?.slot != null && hasFunction(module, "~lib/rt/__visit_globals");
  if (chainGlobals) {
    if (module.getNumTables() === 0) module.addTable("0", 0, -1);
    makeVisitGlobalsLink(b, module);
  }
  const init = makeInit(b, module, new Set(ownGlobals), cut.patchPath);
  const initGlobals = makeInitGlobals(b, module, cut, chainGlobals);
  const finalize = hasFunction(module, SUPPORT_FINALIZE) && needsFinalize(cut.manifest);
  if (finalize) {
    if (module.getNumTables() === 0) module.addTable("0", 0, -1);
    makeFinalizeLink(b, module);
  }
  const migrate = cut.migrate !== null && hasFunction(module, SUPPORT_MIGRATE);
  if (migrate) own.add(SUPPORT_MIGRATE);

  importBaseFunctions(b, module, baseFns, own);
  importBaseGlobals(b, module, cut.manifest);
  module.setStart(0);
  for (let i = module.getNumExports() - 1; i >= 0; i--) module.removeExport(b.getExportInfo(module.getExportByIndex(i)).name);
  for (const [name, r] of Object.entries(replacements)) module.addFunctionExport(r.internal, name);
  for (const h of hooks) module.addFunctionExport(`${cut.patchPath}/${h}`, h);
  if (visitMembers) module.addFunctionExport(PATCH_EXPORTS.visitMembers, PATCH_EXPORTS.visitMembers);
  if (chainGlobals) {
    module.addFunctionExport(PATCH_EXPORTS.visitGlobals, PATCH_EXPORTS.visitGlobals);
    module.addGlobalExport(PATCH_EXPORTS.visitNext, PATCH_EXPORTS.visitNext);
  }
  if (init) module.addFunctionExport(PATCH_EXPORTS.init, PATCH_EXPORTS.init);
  if (initGlobals) module.addFunctionExport(PATCH_EXPORTS.initGlobals, PATCH_EXPORTS.initGlobals);
  if (finalize) {
    module.addFunctionExport(PATCH_EXPORTS.finalize, PATCH_EXPORTS.finalize);
    module.addGlobalExport(PATCH_EXPORTS.finalizeNext, PATCH_EXPORTS.finalizeNext);
  }
  if (migrate) module.addFunctionExport(SUPPORT_MIGRATE, PATCH_EXPORTS.migrate);
  if (hasFunction(module, SUPPORT_ENTRIES)) module.addFunctionExport(SUPPORT_ENTRIES, PATCH_EXPORTS.shadowEntries);
  // Keep the memory and table (and with them all data and function references) through the clean-up.
  if (module.getNumTables() === 0) module.addTable("0", 0, -1);
  const table = b.getTableInfo(module.getTableByIndex(0)).name;
  module.addMemoryExport("0", "hotwasm:keep:memory");
  module.addTableExport(table, "hotwasm:keep:table");
  module.runPasses(["remove-unused-module-elements"]);
  module.removeExport("hotwasm:keep:memory");
  module.removeExport("hotwasm:keep:table");

  const data = dataSegments(module).filter((s) => !s.passive).map((s) => ({ offset: s.offset ?? 0, bytes: new Uint8Array(s.data) }));
  const elements = takeElements(b, module);
  module.setMemory(0, -1, null, [], false, false, "0");
  for (let i = 0; i < module.getNumTables(); i++) {
    // Both builds must print alike: their tables differ only in size, which the host decides.
    const table = module.getTableByIndex(i);
    b.Table.setInitial(table, 0);
    b.Table.setMax(table, 0xffffffff);
  }
  const text = module.emitText();
  const replace = Object.fromEntries(Object.entries(replacements).map(([k, v]) => [k, v.target]));
  return { text, data, elements, replace, classes, features: module.getFeatures() };
}

function checkCompiler(program: Program, cut: PatchCut): void {
  const base = cut.manifest.compiler;
  if (base.version !== cut.compilerVersion) {
    throw new HotwasmError("E_COMPILER_MISMATCH", `the base was built with assemblyscript ${base.version}, this is ${cut.compilerVersion}`);
  }
  const flags = compilerFlags(program);
  for (const [key, value] of Object.entries(base.flags)) {
    if (!FLAGS_IGNORED.has(key) && flags[key] !== value) {
      throw new HotwasmError("E_COMPILER_MISMATCH", `compiler option ${key} is ${String(flags[key])} here but ${String(value)} in the base build`);
    }
  }
}

/** Turns every patchable base function the patch does not define itself into an import of the base's dispatcher. */
function importBaseFunctions(b: Binaryen, module: BinaryenModule, baseFns: Map<string, ManifestFunction>, own: Set<string>): void {
  const names: string[] = [];
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const f = b.getFunctionInfo(module.getFunctionByIndex(i));
    if (!f.module && !own.has(f.name) && baseFns.get(f.name)?.slot != null) names.push(f.name);
  }
  for (const name of names) {
    const f = b.getFunctionInfo(module.getFunction(name));
    const base = baseFns.get(name)!;
    if (typeNames(b, f.params).join() !== base.params.join() || typeNames(b, f.results).join() !== base.results.join()) {
      throw new HotwasmError("E_SIGNATURE_MISMATCH", `${name} has another signature here than in the base build; rebuild the base`);
    }
    module.removeFunction(name);
    module.addFunctionImport(name, BASE_MODULE, name, f.params, f.results);
  }
}

/** Turns every base global into an import of the base's global (same type, the base's mutability). */
function importBaseGlobals(b: Binaryen, module: BinaryenModule, manifest: Manifest): void {
  const base = new Map(manifest.globals.map((g) => [g.name, g]));
  const names: string[] = [];
  for (let i = 0; i < module.getNumGlobals(); i++) {
    const g = b.getGlobalInfo(module.getGlobalByIndex(i));
    if (!g.module && base.has(g.name)) names.push(g.name);
  }
  for (const name of names) {
    const g = b.getGlobalInfo(module.getGlobal(name));
    const want = base.get(name)!;
    if (typeNames(b, g.type)[0] !== want.type) throw new HotwasmError("E_LAYOUT_MISMATCH", `global ${name} is ${typeNames(b, g.type)[0]} here but ${want.type} in the base`);
    module.removeGlobal(name);
    module.addGlobalImport(name, BASE_MODULE, name, g.type, want.mutable);
  }
}

/** Globals of the combined program the base does not have. */
function patchOwnGlobals(b: Binaryen, module: BinaryenModule, manifest: Manifest): string[] {
  const base = new Set(manifest.globals.map((g) => g.name));
  const out: string[] = [];
  for (let i = 0; i < module.getNumGlobals(); i++) {
    const g = b.getGlobalInfo(module.getGlobalByIndex(i));
    if (!g.module && !base.has(g.name)) out.push(g.name);
  }
  return out;
}

/**
 * True when the patch's shadow entries must be dropped as their objects are freed: the base's
 * collector frees (all but the stub runtime) through its free-object hook. A base without the
 * hook cannot take shadow fields.
 */
function needsFinalize(manifest: Manifest): boolean {
  if (manifest.compiler.flags.runtime === "stub") return false;
  if (!manifest.functions.some((f) => f.name === FINALIZE_FUNCTION && f.slot !== null)) {
    throw new HotwasmError("E_NOT_PATCHABLE_BUILD", "the patch adds shadow fields, but the base has no patchable free-object hook (__finalize); rebuild the base with this hotwasm, without HOTWASM_FINALIZE=0");
  }
  return true;
}

/** The patch's free-object hook: drops its shadow entries, then calls the next hook of the chain. */
function makeFinalizeLink(b: Binaryen, module: BinaryenModule): void {
  module.addGlobal(PATCH_EXPORTS.finalizeNext, b.i32, true, module.i32.const(0));
  const ptr = module.local.get(0, b.i32);
  const next = module.if(
    module.global.get(PATCH_EXPORTS.finalizeNext, b.i32),
    module.call_indirect("0", module.global.get(PATCH_EXPORTS.finalizeNext, b.i32), [module.local.get(0, b.i32)], b.i32, b.none),
  );
  module.addFunction(PATCH_EXPORTS.finalize, b.i32, b.none, [], module.block(null, [module.call(SUPPORT_FINALIZE, [ptr], b.none), next]));
}

/** The patch's own globals visitor: the combined visitor, then the next visitor of the chain. */
function makeVisitGlobalsLink(b: Binaryen, module: BinaryenModule): void {
  const source = b.getFunctionInfo(module.getFunction("~lib/rt/__visit_globals"));
  module.addGlobal(PATCH_EXPORTS.visitNext, b.i32, true, module.i32.const(0));
  const next = module.call_indirect("0", module.global.get(PATCH_EXPORTS.visitNext, b.i32), [module.local.get(0, b.i32)], b.i32, b.none);
  module.addFunction(PATCH_EXPORTS.visitGlobals, source.params, source.results, source.vars, module.block(null, [module.copyExpression(source.body), next]));
}

/**
 * `hotwasm:init`: the start code that belongs to a patch file — writes to its own globals and its
 * file's top-level code — never the app's (its state lives in the base) nor the runtime's. (A
 * diff's new globals are initialised by `makeInitGlobals`.)
 */
function makeInit(b: Binaryen, module: BinaryenModule, own: Set<string>, patchPath: string | null): boolean {
  const start = module.getStart();
  if (!start || patchPath === null) return false;
  const isOwn = (s: StartStatement) => s.sets !== null && own.has(s.sets);
  // Each start function is a shadow-stack frame: its set-up and tear-down are kept with what runs
  // in it, or the copy would write its temporaries into whatever lies above the stack pointer.
  const main = startStatements(b, b.getFunctionInfo(start).body);
  const kept = main.some(isOwn) ? main.filter((s) => s.frame || isOwn(s)) : [];
  const fileStart = module.getFunction(`start:${patchPath}`);
  const vars = fileStart ? b.getFunctionInfo(fileStart).vars : [];
  if (fileStart) kept.push(...startStatements(b, b.getFunctionInfo(fileStart).body).filter((s) => s.frame || s.sets === null || isOwn(s)));
  if (!kept.some((s) => !s.frame)) return false;
  module.addFunction(PATCH_EXPORTS.init, b.none, b.none, vars, module.block(null, kept.map((s) => module.copyExpression(s.expr))));
  return true;
}

/**
 * `hotwasm:init_globals` (diff): the initialisers of the edit's new globals, in the order the
 * program's start code runs them, each in its start function's frame. The host runs it once at
 * load, before the migration; the collector must see what they store (the patch's globals visitor).
 */
function makeInitGlobals(b: Binaryen, module: BinaryenModule, cut: PatchCut, visited: boolean): boolean {
  const names = cut.patchPath === null ? cut.initialise ?? [] : [];
  if (names.length === 0) return false;
  const start = module.getStart();
  if (!start || !addInitialiser(b, module, b.getFunctionInfo(start).name, new Set(names), PATCH_EXPORTS.initGlobals)) {
    throw new Error(`the initialisers of ${names.join(", ")} are not in the program's start code`);
  }
  if (!visited && cut.manifest.compiler.flags.runtime !== "stub") {
    throw new HotwasmError("E_NOT_PATCHABLE_BUILD", "the patch initialises new globals, but the base's collector cannot visit a patch's globals (its __visit_globals is not patchable); rebuild the base");
  }
  return true;
}

function copyFunction(b: Binaryen, module: BinaryenModule, from: string, to: string): void {
  const f = b.getFunctionInfo(module.getFunction(from));
  module.addFunction(to, f.params, f.results, f.vars, module.copyExpression(f.body));
}

function takeElements(b: Binaryen, module: BinaryenModule): CutResult["elements"] {
  const out: CutResult["elements"] = [];
  const names: string[] = [];
  for (let i = 0; i < module.getNumElementSegments(); i++) {
    const seg = b.getElementSegmentInfo(module.getElementSegmentByIndex(i));
    const offset = b.getExpressionInfo(seg.offset) as { id: number; value?: number };
    if (offset.id !== b.ConstId) throw new HotwasmError("E_TABLE_WRITE", "an element segment of the patch has no constant offset");
    out.push({ offset: offset.value!, names: seg.data });
    names.push(seg.name);
  }
  for (const n of names) module.removeElementSegment(n);
  return out;
}
