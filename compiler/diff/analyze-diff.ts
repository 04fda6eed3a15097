// Compares an edited source tree with the running base, kpatch style: both are compiled the same
// way and fingerprinted (fingerprint.ts); functions whose code differs are the patch's targets,
// each with the reason it is in the patch (change-reasons.ts); functions only in the edited tree
// come along as helpers, new classes with them (class-changes.ts); and edits a patch cannot apply
// (the "rude edits" of .NET Hot Reload) are refused together, one cause each, with where the
// edit is (refusals.ts). Top-level code is compared statement by statement: the initialisers of
// new globals run once at load, any other change is refused (start-changes.ts).

import type { ErrorCode } from "../../host/errors.js";
import type { Manifest } from "../../host/model/manifest.js";
import { matchesSymbol } from "../base/select-functions.js";
import type { Fingerprint } from "./fingerprint.js";
import { reasonOf } from "./change-reasons.js";
import { throwRefusals, type Locate, type RudeEdit } from "./refusals.js";
import { compareClasses, type Fail } from "./class-changes.js";
import { compareStartCode } from "./start-changes.js";
import { isStartFunction } from "../common/start-code.js";

export type { RudeEdit } from "./refusals.js";

/** What changed between the base and the edited sources. */
export interface DiffReport {
  /** Changed patchable functions the patch replaces. */
  changed: string[];
  /** Why each changed (or skipped) function is in the patch: "edited", "inlines an edited function: NAME", "uses new data", ... */
  reasons: Record<string, string>;
  /** Changed functions `--only` left out. */
  skipped: string[];
  /** Functions only the edited sources have (they come with the patch as needed). */
  added: string[];
  unchanged: number;
  /** Managed classes only the edited program has (new classes, new generic instantiations). */
  classes: string[];
  /** Fields added to classes of the base, patched as shadow fields ("file/Class.field"). */
  fields: string[];
  /** The migration the patch runs at load (`// @hotwasm-migrate`), if any. */
  migrate: string | null;
  /** New globals whose initialisers (not constants) the patch runs once at load, before the migration, in this order. */
  initialisers: string[];
}

// Functions a patch rebuilds itself, or that only follow the memory layout (the patch uses the base's).
const RUNTIME_HOOKS = new Set(["~lib/rt/__visit_members", "~lib/rt/__visit_globals", "~stack_check"]);
const LAYOUT_GLOBALS = new Set(["~lib/memory/__data_end", "~lib/memory/__stack_pointer", "~lib/memory/__heap_base", "~lib/rt/__rtti_base"]);

/** Compares the fingerprints; throws one HotwasmError listing every rude edit, one cause each. */
export function compareBuilds(base: Fingerprint, edited: Fingerprint, manifest: Manifest, only: string[], locate: Locate = () => null, known: RudeEdit[] = []): DiffReport {
  const rude: RudeEdit[] = [...known];
  const fail: Fail = (code, message, symbol, where = symbol) => rude.push({ code, message, ...(symbol ? { symbol, at: locate(where!) } : {}) });
  const classes = compareClasses(base.classes, edited.classes, fail);
  const refusedGlobals = new Set<string>();
  for (const [name, g] of base.globals) {
    const now = edited.globals.get(name);
    // The memory layout moves with the static data; a patch imports these from the base anyway.
    if (!now || LAYOUT_GLOBALS.has(name)) continue;
    if (now.type !== g.type || now.mutable !== g.mutable) fail("E_GLOBAL_RETYPED", `global ${name} changed from ${g.mutable ? "mut " : ""}${g.type} to ${now.mutable ? "mut " : ""}${now.type}`, name);
    else if (now.init !== g.init) fail("E_GLOBAL_INIT_CHANGED", `the initialiser of global ${name} changed`, name);
    else continue;
    refusedGlobals.add(name);
  }
  const initialisers = compareStartCode(base, edited, fail, refusedGlobals);
  const patchable = new Map(manifest.functions.map((f) => [f.name, f]));
  const report: DiffReport = { changed: [], reasons: {}, skipped: [], added: [], unchanged: 0, classes, fields: [], migrate: edited.migrate ?? null, initialisers };
  for (const [name, now] of edited.functions) {
    const before = base.functions.get(name);
    if (!before) { if (!isStartFunction(name)) report.added.push(name); continue; }
    if (before.code === now.code && before.signature === now.signature) { report.unchanged++; continue; }
    if (isStartFunction(name)) continue; // compared statement by statement above
    if (RUNTIME_HOOKS.has(name)) continue; // rebuilt by the patch itself
    if (name === edited.migrate) continue; // runs once at load, never patched
    if (before.type !== now.type || before.signature !== now.signature) { fail("E_SIGNATURE_MISMATCH", `${name} changed its signature from ${before.signature} to ${now.signature}`, name); continue; }
    const entry = patchable.get(name);
    if (!entry || entry.slot === null) { fail("E_NOT_PATCHABLE", `${name} changed but is not patchable (${entry?.reason ?? "not in the base"})`, name); continue; }
    report.reasons[name] = reasonOf(name, before, now, base, edited);
    if (only.length > 0 && !only.some((g) => matchesSymbol(g, name))) report.skipped.push(name);
    else report.changed.push(name);
  }
  if (rude.length > 0) throwRefusals(rude, manifest);
  report.changed.sort();
  report.skipped.sort();
  report.added.sort();
  return report;
}

