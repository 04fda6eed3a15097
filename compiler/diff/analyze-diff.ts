// Compares an edited source tree with the running base, kpatch style: both are compiled the same
// way and fingerprinted (fingerprint.ts); functions whose code differs are the patch's targets,
// functions only in the edited tree come along as helpers, and edits a patch cannot apply (the
// "rude edits" of .NET Hot Reload) are refused together, each with its code.

import { Transform } from "assemblyscript/transform";
import type { Parser, Program } from "assemblyscript";
import type binaryenNs from "binaryen";
import { HotwasmError, type ErrorCode } from "../../host/errors.js";
import type { Manifest } from "../../host/model/manifest.js";
import type { Binaryen } from "../common/binaryen-util.js";
import { ascOptions } from "../patch/build-patch.js";
import { NO_CONFIG } from "../base/build.js";
import { ANALYSIS_MEMORY_BASE, fingerprintModule, type Fingerprint } from "./fingerprint.js";
import { runAsc } from "../common/run-asc.js";
import { matchesSymbol } from "../base/select-functions.js";
import { compareClasses } from "./class-changes.js";
import { setUpAfterInitialize, setUpAfterParse } from "../patch/program-setup.js";

/** What changed between the base and the edited sources. */
export interface DiffReport {
  /** Changed patchable functions the patch replaces. */
  changed: string[];
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
}

/** One edit a patch cannot apply. */
export interface RudeEdit {
  code: ErrorCode;
  message: string;
}

// Functions a patch rebuilds itself, or that only follow the memory layout (the patch uses the base's).
const RUNTIME_HOOKS = new Set(["~lib/rt/__visit_members", "~lib/rt/__visit_globals", "~stack_check"]);
const LAYOUT_GLOBALS = new Set(["~lib/memory/__data_end", "~lib/memory/__stack_pointer", "~lib/memory/__heap_base", "~lib/rt/__rtti_base"]);

/** Fingerprints the program of `entries` with the base's compiler options. */
export async function fingerprintSources(o: { manifest: Manifest; entries: string[]; cwd: string; files?: Record<string, string>; ascArgs?: string[]; shadowFiles?: readonly string[] }): Promise<Fingerprint> {
  let result: Fingerprint | null = null;
  class Capture extends Transform {
    declare readonly program: Program;
    declare readonly binaryen: unknown;
    afterParse(parser: Parser): void {
      try {
        migrate = setUpAfterParse(parser, this.program, { manifest: o.manifest, shadowFiles: o.shadowFiles }).migrate;
      } catch (err) {
        failure = err;
        throw err;
      }
    }
    afterInitialize(): void {
      try {
        setUpAfterInitialize(this.program, { manifest: o.manifest });
      } catch (err) {
        failure = err;
        throw err;
      }
    }
    afterCompile(module: binaryenNs.Module): void {
      result = { ...fingerprintModule(this.binaryen as Binaryen, module, this.program), migrate };
    }
  }
  let failure: unknown = null;
  let migrate: string | null = null;
  const argv = [...o.entries, "--config", NO_CONFIG, ...ascOptions(o.manifest), ...(o.ascArgs ?? []), "-O0", "--memoryBase", String(ANALYSIS_MEMORY_BASE), "--noEmit"];
  try {
    await runAsc({ argv, cwd: o.cwd, files: o.files, transforms: [Capture], noEmit: true });
  } catch (err) {
    throw failure ?? err;
  }
  if (!result) throw new HotwasmError("E_PATCH_SOURCE", "the analysis build produced no module");
  return result;
}

/** Compares the fingerprints; throws one HotwasmError listing every rude edit. */
export function compareBuilds(base: Fingerprint, edited: Fingerprint, manifest: Manifest, only: string[], known: RudeEdit[] = []): DiffReport {
  const rude: RudeEdit[] = [...known];
  const fail = (code: ErrorCode, message: string) => rude.push({ code, message });
  const classes = compareClasses(base.classes, edited.classes, fail);
  for (const [name, g] of base.globals) {
    const now = edited.globals.get(name);
    // The memory layout moves with the static data; a patch imports these from the base anyway.
    if (!now || LAYOUT_GLOBALS.has(name)) continue;
    if (now.type !== g.type || now.mutable !== g.mutable) fail("E_GLOBAL_RETYPED", `global ${name} changed from ${g.mutable ? "mut " : ""}${g.type} to ${now.mutable ? "mut " : ""}${now.type}`);
    else if (now.init !== g.init) fail("E_GLOBAL_INIT_CHANGED", `the initialiser of global ${name} changed`);
  }
  const patchable = new Map(manifest.functions.map((f) => [f.name, f]));
  const report: DiffReport = { changed: [], skipped: [], added: [], unchanged: 0, classes, fields: [], migrate: edited.migrate ?? null };
  for (const [name, now] of edited.functions) {
    const before = base.functions.get(name);
    if (!before) { report.added.push(name); continue; }
    if (before.code === now.code && before.signature === now.signature) { report.unchanged++; continue; }
    if (RUNTIME_HOOKS.has(name)) continue; // rebuilt by the patch itself
    if (name === edited.migrate) continue; // runs once at load, never patched
    if (before.type !== now.type || before.signature !== now.signature) { fail("E_SIGNATURE_MISMATCH", `${name} changed its signature from ${before.signature} to ${now.signature}`); continue; }
    if (name === "~start" || name.startsWith("start:")) { fail("E_GLOBAL_INIT_CHANGED", `top-level code changed (${name}); it ran once at start and cannot run again`); continue; }
    const entry = patchable.get(name);
    if (!entry || entry.slot === null) { fail("E_NOT_PATCHABLE", `${name} changed but is not patchable (${entry?.reason ?? "not in the base"})`); continue; }
    if (only.length > 0 && !only.some((g) => matchesSymbol(g, name))) report.skipped.push(name);
    else report.changed.push(name);
  }
  if (rude.length > 0) {
    const list = rude.map((r) => `${r.code}: ${r.message}`).join("; ");
    throw new HotwasmError(rude[0]!.code, `the edit cannot be applied as a patch: ${list}`, { details: { problems: rude } });
  }
  report.changed.sort();
  report.skipped.sort();
  report.added.sort();
  return report;
}

