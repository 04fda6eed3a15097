// How every build made against a base sets its program up (the patch builds of `hotwasm patch` and
// `hotwasm diff`, and diff's analysis builds), so that they agree with each other and with the
// base: the runtime exported, the base's class ids pinned, the base's free-object hook compiled
// in, and, when needed, the support file (shadow tables, free-object hook, migration).

import { CommonFlags, NodeKind, type Parser, type Program } from "assemblyscript";
import { HotwasmError } from "../../host/errors.js";
import type { Manifest } from "../../host/model/manifest.js";
import { createBaseClasses, pinClassIds } from "../common/class-ids.js";
import { addFinalizeHook, hasFinalizeHook, SUPPORT_PREFIX } from "../common/finalize-hook.js";
import { SUPPORT_FILE, supportSource } from "./support-file.js";

/** The marker of a patch's migration function. */
export const MIGRATE_MARKER = "@hotwasm-migrate";

/** What a build against `manifest` adds to its program. */
export interface SetupOptions {
  manifest: Manifest;
  /** Files (paths relative to the project) rewritten with shadow fields (patch/shadow-fields.ts). */
  shadowFiles?: readonly string[];
  /** Run a function marked `// @hotwasm-migrate` at load (default true; false: the mark is ignored). */
  migration?: boolean;
}

/** What the set-up found: the migration function's internal name, if any. */
export interface SetupResult {
  migrate: string | null;
}

const migrations = new WeakMap<Program, string | null>();

/** The migration function (internal name) `setUpAfterParse` found in `program`, or null. */
export function migrationOf(program: Program): string | null {
  return migrations.get(program) ?? null;
}

/** A transform's afterParse: call before the program is initialised. */
export function setUpAfterParse(parser: Parser, program: Program, o: SetupOptions): SetupResult {
  program.options.exportRuntime = true;
  pinClassIds(program, o.manifest.classes);
  if (hasFinalizeHook(o.manifest.functions)) addFinalizeHook(parser, program);
  const migrate = o.migration === false ? null : findMigration(program);
  const freeing = [...(o.shadowFiles ?? [])];
  if (freeing.length > 0 || migrate) parser.parseFile(supportSource({ freeing, migrate }), SUPPORT_FILE, true);
  const name = migrate ? `${migrate.file.replace(/\.ts$/, "")}/${migrate.name}` : null;
  migrations.set(program, name);
  return { migrate: name };
}

/** A transform's afterInitialize. */
export function setUpAfterInitialize(program: Program, o: SetupOptions): void {
  createBaseClasses(program, o.manifest.classes);
}

interface SourceLike {
  internalPath: string;
  normalizedPath: string;
  text: string;
  statements: { kind: number; flags: number; name?: { text: string }; range: { start: number; end: number }; signature?: { parameters?: unknown[]; returnType?: { range: { start: number; end: number } } | null } }[];
}

/** The function a comment marks `@hotwasm-migrate`; marked exported, so that the support file can call it. */
function findMigration(program: Program): { file: string; name: string; returns: string } | null {
  const found: { file: string; name: string; returns: string }[] = [];
  for (const s of program.sources as unknown as SourceLike[]) {
    if (s.internalPath.startsWith("~lib/") || s.internalPath.startsWith(SUPPORT_PREFIX) || !s.text.includes(MIGRATE_MARKER)) continue;
    let prevEnd = 0;
    for (const st of s.statements) {
      const marked = s.text.slice(prevEnd, st.range.start).includes(MIGRATE_MARKER);
      prevEnd = st.range.end;
      if (!marked) continue;
      if (st.kind !== NodeKind.FunctionDeclaration || !st.name || (st.signature?.parameters?.length ?? 0) > 0) {
        throw new HotwasmError("E_PATCH_SOURCE", `${s.normalizedPath}: ${MIGRATE_MARKER} must come right before a top-level function without parameters`);
      }
      const returnType = st.signature?.returnType;
      const returns = returnType ? s.text.slice(returnType.range.start, returnType.range.end).trim() : "void";
      if (returns !== "void" && returns !== "i32") {
        throw new HotwasmError("E_PATCH_SOURCE", `${s.normalizedPath}: the migration ${st.name.text} must return void or i32 (non-zero: failed), not ${returns}`);
      }
      st.flags |= CommonFlags.Export;
      found.push({ file: s.normalizedPath, name: st.name.text, returns });
    }
  }
  if (found.length > 1) {
    throw new HotwasmError("E_PATCH_SOURCE", `a patch has one migration, but ${found.map((f) => `${f.file}:${f.name}`).join(" and ")} are marked ${MIGRATE_MARKER}`);
  }
  return found[0] ?? null;
}
