// Checks a patch against its base without changing anything: build id, replacement targets and
// types, every import, data and element segments, hooks, compiler and classes. A load runs these
// checks against the running host (host/link/link-patch.ts); a patch build runs the same against
// the base's binary before it writes the patch (compiler/patch/check-fit.ts), so that no patch is
// written that its base would refuse.

import type { EffectiveConfig } from "../model/config.js";
import { HotwasmError, type ErrorCode } from "../errors.js";
import type { Manifest } from "../model/manifest.js";
import type { PatchMeta } from "../model/patch-meta.js";
import { FINALIZE_FUNCTION, HOOK_NAMES, INIT_GLOBALS_EXPORT, MIGRATE_EXPORT } from "../model/hook-names.js";
import { exportedFuncType, formatFuncType, sameFuncType, type ModuleInfo } from "../wasm/wasm-reader.js";
import { LINK_MODULE, resolveImport } from "./resolve-import.js";
import type { BaseFacts, Binding, FitPlan, Replacement } from "./fit-types.js";

/** Checks the patch; returns the plan or throws (first problem, all in `details.problems`). */
export function checkPatch(base: BaseFacts, patch: ModuleInfo, meta: PatchMeta | null, config: EffectiveConfig): FitPlan {
  const problems: HotwasmError[] = [];
  // Checking stops at MAX_PROBLEMS: each unknown name costs a search for a suggestion.
  const add = (problem: HotwasmError) => {
    problems.push(problem);
    if (problems.length >= MAX_PROBLEMS) throw STOP;
  };
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof HotwasmError) { add(err); return undefined; }
      throw err;
    }
  };
  const fail = (code: ErrorCode, message: string, details?: Record<string, unknown>) => add(new HotwasmError(code, message, { details }));

  let replacements: Replacement[] = [];
  const refs: FitPlan["refs"] = [];
  const bindings: (Binding | null)[] = [];
  let dataRanges: FitPlan["dataRanges"] = [];
  let stopped = false;
  try {
    if (meta?.base_build_id && meta.base_build_id !== base.manifest.buildId) {
      fail("E_BUILD_MISMATCH", `the patch was built for base build ${meta.base_build_id}, this base is ${base.manifest.buildId}`);
    }
    if (patch.start !== null) fail("E_START_FUNCTION", "the patch has a start function; move that code into HPBeforeLoad");
    checkMemories(patch, fail);
    replacements = checkReplacements(base, patch, config, attempt, fail);
    for (const imp of patch.imports) bindings.push(attempt(() => resolveImport(base, imp, config, refs)) ?? null);
    const refImports = new Set(patch.imports.filter((i) => i.module === "ref").map((i) => i.name));
    for (const key of Object.keys(config.ref_config)) {
      if (!refImports.has(key)) fail("E_INVALID_CONFIG", `ref_config names "${key}" but the patch imports no "ref.${key}"`);
    }
    dataRanges = checkSegments(base, patch, meta, fail);
    checkHooks(patch, fail);
    if (meta?.link) checkLinkMeta(base, patch, meta, fail);
  } catch (err) {
    if (err !== STOP) throw err;
    stopped = true;
  }

  if (problems.length > 0) {
    const first = problems[0]!;
    const others = problems.slice(1).map((p) => p.code).join(", ");
    const more = problems.length > 1 ? ` (and ${stopped ? "at least " : ""}${problems.length - 1} more: ${others}${stopped ? "; checking stopped there" : ""})` : "";
    throw new HotwasmError(first.code, first.message + more, {
      details: { ...first.details, problems: problems.map((p) => ({ code: p.code, message: p.message })) },
    });
  }
  return { replacements, bindings, refs, dataRanges };
}

/** Most problems one check collects before it stops. */
export const MAX_PROBLEMS = 32;
const STOP = Symbol("too many problems");

/** One memory at most, and only the base's (env.memory) may be imported: every write into it is then
 * checked (checkSegments). Also checked before compiling, so every engine refuses alike. */
export function checkMemories(patch: ModuleInfo, fail: (code: "E_MULTIPLE_MEMORIES", message: string) => void): void {
  const imported = patch.imports.filter((i) => i.kind === "memory");
  if (imported.length + patch.memories > 1) {
    fail("E_MULTIPLE_MEMORIES", `the patch has ${imported.length + patch.memories} memories (${imported.length} imported); a patch may have one`);
  }
  const foreign = imported.find((i) => i.module !== "env" || i.name !== "memory");
  if (foreign) fail("E_MULTIPLE_MEMORIES", `the patch imports memory "${foreign.module}.${foreign.name}"; the only memory a patch may import is env.memory`);
}

/** E_ARENA_FULL: a patch's `size` bytes of static data do not fit beside `used` bytes of the arena. */
export function arenaFull(manifest: Manifest, size: number, used: number): HotwasmError {
  const hint = manifest.arena.size === 0 ? " (the base has no patch arena; build it with --arena BYTES)" : "";
  return new HotwasmError("E_ARENA_FULL", `the patch needs ${size} bytes of static data; the arena has ${manifest.arena.size}, ${used} in use${hint}`);
}

/** Why the base cannot take a patch with these runtime hooks, or null. */
export function unsupportedHooks(manifest: Manifest, member: { classes: unknown[]; rttiAddress: number | null; visitMembers: boolean; visitGlobals: boolean; finalize?: boolean }): string | null {
  const slotOf = (name: string) => manifest.functions.find((f) => f.name === name)?.slot ?? null;
  const rtti = manifest.globals.some((g) => g.name === "~lib/rt/__rtti_base" && g.mutable);
  // The stub runtime never collects: new classes need no visitor there.
  const collects = manifest.compiler.flags.runtime !== "stub";
  if (member.classes.length > 0 && collects && (slotOf("~lib/rt/__visit_members") === null || !rtti || !member.visitMembers || member.rttiAddress === null)) {
    return "the patch adds classes, but the base has no patchable __visit_members or mutable __rtti_base (rebuild the base)";
  }
  if (member.visitGlobals && slotOf("~lib/rt/__visit_globals") === null) return "the patch has managed globals, but the base's __visit_globals is not patchable";
  if (member.finalize && slotOf(FINALIZE_FUNCTION) === null) return "the patch has shadow fields, but the base has no patchable free-object hook (rebuild the base)";
  return null;
}

type Attempt = <T>(fn: () => T) => T | undefined;
type Fail = (code: ErrorCode, message: string, details?: Record<string, unknown>) => void;

function checkReplacements(base: BaseFacts, patch: ModuleInfo, config: EffectiveConfig, attempt: Attempt, fail: Fail): Replacement[] {
  const out: Replacement[] = [];
  const seen = new Map<string, string>();
  for (const [exportName, targetName] of Object.entries(config.replace_config)) {
    const type = exportedFuncType(patch, exportName);
    if (!type) { fail("E_UNKNOWN_EXPORT", `the patch exports no function "${exportName}"`, { export: exportName }); continue; }
    const sym = attempt(() => base.symbols.resolve(targetName));
    if (!sym) continue;
    if (sym.kind !== "function") { fail("E_NOT_PATCHABLE", `"${targetName}" is a global, not a function`); continue; }
    const target = sym.fn;
    if (target.slot === null) {
      fail("E_NOT_PATCHABLE", `${target.name} is not patchable (${target.reason ?? "excluded from the build"})`, { symbol: target.name });
      continue;
    }
    if (!sameFuncType(type, target)) {
      fail("E_SIGNATURE_MISMATCH", `${exportName} has type ${formatFuncType(type)} but ${target.name} has ${formatFuncType(target)}`, {
        export: exportName, symbol: target.name,
      });
      continue;
    }
    const prior = seen.get(target.name);
    if (prior) { fail("E_DUPLICATE_TARGET", `${prior} and ${exportName} both replace ${target.name}`); continue; }
    seen.set(target.name, exportName);
    out.push({ exportName, target });
  }
  return out;
}

function checkSegments(base: BaseFacts, patch: ModuleInfo, meta: PatchMeta | null, fail: Fail): { start: number; end: number }[] {
  const ranges: { start: number; end: number }[] = [];
  // Imported memories come first in the index space; a segment on any of them writes into the base.
  const importedMemories = patch.imports.filter((i) => i.kind === "memory").length;
  const linkGlobal = (name: string) => {
    let index = 0;
    for (const imp of patch.imports) {
      if (imp.kind !== "global") continue;
      if (imp.module === LINK_MODULE && imp.name === name) return index;
      index++;
    }
    return -1;
  };
  const arena = base.manifest.arena;
  for (const seg of patch.data) {
    if (seg.mode !== "active" || seg.target >= importedMemories || seg.size === 0) continue;
    if (seg.offset === null) {
      const placed = meta?.link && base.placement && seg.offsetGlobal === linkGlobal("memory_base") && seg.size <= meta.link.data_size;
      if (placed) ranges.push({ start: base.placement!.memoryBase, end: base.placement!.memoryBase + meta!.link!.data_size });
      else fail("E_DATA_OUTSIDE_ARENA", "a data segment of the patch is neither at a constant offset nor at its placement");
      continue;
    }
    const start = seg.offset >>> 0;
    const end = start + seg.size;
    if (start < arena.start || end > arena.start + arena.size) {
      fail("E_DATA_OUTSIDE_ARENA", `data at [${start}, ${end}) is outside the patch arena [${arena.start}, ${arena.start + arena.size})`);
      continue;
    }
    const clash = base.arenaOwner(start, end);
    if (clash) { fail("E_ARENA_CONFLICT", `data at [${start}, ${end}) overlaps patch ${clash.owner} at [${clash.start}, ${clash.end})`, { hp_id: clash.owner }); continue; }
    ranges.push({ start, end });
  }
  for (const seg of patch.elements) {
    if (seg.mode !== "active" || seg.target >= patch.importedTables || seg.size === 0) continue;
    const placed = meta?.link && base.placement && seg.offset === null && seg.offsetGlobal === linkGlobal("table_base") && seg.size <= meta.link.table_size;
    if (!placed) fail("E_TABLE_WRITE", "the patch has an element segment that would write into the base's table outside its placement");
  }
  return ranges;
}

/** A position-independent patch: its compiler and classes must fit the base and the patches in force. */
function checkLinkMeta(base: BaseFacts, patch: ModuleInfo, meta: PatchMeta, fail: Fail): void {
  const link = meta.link!;
  const own = base.manifest.compiler;
  if (meta.compiler && (meta.compiler.version !== own.version || JSON.stringify(meta.compiler.flags) !== JSON.stringify(own.flags))) {
    fail("E_COMPILER_MISMATCH", `the patch was compiled by assemblyscript ${meta.compiler.version} with other options than the base (${own.version})`);
  }
  if (link.base_classes !== base.manifest.classes.length) {
    fail("E_CLASS_ID_MISMATCH", `the patch knows ${link.base_classes} classes of the base, the base has ${base.manifest.classes.length}`);
  }
  const conflict = base.classConflict(link.classes);
  if (conflict) fail("E_CLASS_CONFLICT", conflict);
  const exported = (name: string) => patch.exports.some((e) => e.name === name);
  const unsupported = unsupportedHooks(base.manifest, {
    classes: link.classes, rttiAddress: link.rtti_offset, visitMembers: exported("hotwasm:visit_members"), visitGlobals: exported("hotwasm:visit_globals"),
    finalize: exported("hotwasm:finalize"),
  });
  if (unsupported) fail("E_NOT_PATCHABLE_BUILD", unsupported);
}

function checkHooks(patch: ModuleInfo, fail: Fail): void {
  for (const name of [...HOOK_NAMES, INIT_GLOBALS_EXPORT, MIGRATE_EXPORT]) {
    const e = patch.exports.find((x) => x.name === name);
    if (!e) continue;
    const type = e.kind === "function" ? patch.functions[e.index] : undefined;
    const ok = type && type.params.length === 0 && (type.results.length === 1 ? type.results[0] === "i32" : type.results.length === 0);
    if (!ok) fail("E_HOOK_SIGNATURE", `${name} must be a function of type () -> i32 or () -> ()${type ? `, not ${formatFuncType(type)}` : ""}`);
  }
}
