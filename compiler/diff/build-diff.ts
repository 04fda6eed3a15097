// `hotwasm diff`: a patch from an edited source tree. Compares the edited sources with the ones
// the base was built from (base-analysis.ts), then builds a patch of exactly the changed
// functions (plus the new functions they call, and the initialisers of new globals). No change:
// no patch. Fields the edit adds to the base's classes become shadow fields: the edited files are
// rewritten first (new-fields.ts). The edited sources are compiled twice: once at the analysis
// layout, which is both compared and cut into the patch, and once more at another layout, for
// relocation.

import { version as ascVersion } from "assemblyscript/asc";
import type { Program } from "assemblyscript";
import type binaryenNs from "binaryen";
import { resolve } from "node:path";
import { compareBuilds, type DiffReport } from "./analyze-diff.js";
import { manifestOf } from "../base/build.js";
import type { Binaryen } from "../common/binaryen-util.js";
import { checkRootHoldsBase, filesInRoot, findProjectRoot, pathInRoot } from "../common/project-root.js";
import { Steps, type StepTimings } from "../common/steps.js";
import { compileWithBase } from "../patch/compile-with-base.js";
import { cutProgram, type ProgramCut } from "../patch/cut-program.js";
import { finishPatch, type PatchBuildResult } from "../patch/finish-patch.js";
import { MEMORY_DELTA, TABLE_DELTA } from "../patch/relocate-patch.js";
import { baseAnalysis } from "./base-analysis.js";
import { ANALYSIS_MEMORY_BASE, ANALYSIS_TABLE_BASE, fingerprintModule } from "./fingerprint.js";
import { locator } from "./locate.js";
import { planShadowFields } from "./new-fields.js";
import { readSources } from "../common/embed-sources.js";
import { SUPPORT_PREFIX } from "../common/finalize-hook.js";
import { readFile } from "node:fs/promises";

/** What to diff. */
export interface DiffOptions {
  /** The running base build. */
  base: Uint8Array;
  /** Entry files, relative to cwd (default: the base's). */
  entries?: string[];
  /** Patch only changed functions matching one of these globs. */
  only?: string[];
  /** Where to write the patch, relative to cwd (nothing is written when nothing changed). */
  outFile?: string;
  /** The directory paths are relative to (default: the process's). */
  cwd?: string;
  /** The project root (default: found from the entries or cwd; common/project-root.ts). */
  root?: string;
  /** Edited sources held in memory, by path relative to cwd; they shadow the disk. */
  files?: Record<string, string>;
  ascArgs?: string[];
  /** Safepoint polls in the patch when the base has them (default true). */
  safepoints?: boolean;
}

/** The comparison, the patch if anything is to be patched, and how long each step took. */
export interface DiffResult {
  report: DiffReport;
  patch: PatchBuildResult | null;
  timings: StepTimings;
}

/** Compares and builds; throws one HotwasmError listing every edit that cannot be patched. */
export async function buildDiff(o: DiffOptions): Promise<DiffResult> {
  const steps = new Steps();
  const cwd = o.cwd ?? process.cwd();
  const manifest = manifestOf(o.base);
  const root = findProjectRoot(cwd, o.entries ?? [], o.root);
  const files = filesInRoot(root, cwd, o.files);
  checkRootHoldsBase(root, manifest, files);
  const entries = o.entries?.map((e) => pathInRoot(root, cwd, e)) ?? manifest.entries.map((e) => `${e}.ts`);
  const base = await steps.time("analyse base", () => baseAnalysis(o.base, manifest, root.dir, o.ascArgs));
  const shadow = await steps.time("shadow fields", () => planShadowFields(readSources(o.base) ?? {}, (path) => editedText(path, root.dir, files)));
  const edited = { ...files, ...shadow.files };
  let report: DiffReport | null = null;
  const compile = (memoryBase: number, tableBase: number, targets: (b: Binaryen, m: binaryenNs.Module, p: Program) => string[] | null) =>
    compileWithBase<ProgramCut | null>({
      manifest, root: root.dir, files: edited, entries, ascArgs: o.ascArgs, memoryBase, tableBase, shadowFiles: shadow.shadowFiles,
      onCompiled: (b, module, program) => {
        const list = targets(b, module, program);
        const migrate = report?.migrate ?? null;
        const initialise = report?.initialisers ?? [];
        return list ? cutProgram(b, module, program, { manifest, patchPath: null, replace: {}, targets: list, compilerVersion: ascVersion, migrate, initialise }, memoryBase) : null;
      },
    });
  // One build is compared with the base and, when something changed, cut into the patch.
  const a = await steps.time("compile edited", () => compile(ANALYSIS_MEMORY_BASE, ANALYSIS_TABLE_BASE, (b, module, program) => {
    const print = fingerprintModule(b, module, program);
    report = compareBuilds(base, print, manifest, o.only ?? [], locator(program), shadow.problems);
    report.fields = shadow.fields;
    report.added = report.added.filter((name) => !isSupportCode(name));
    // A migration the base's sources already had (unchanged) belongs to an earlier patch: it does not run again.
    const m = report.migrate;
    if (m && base.migrate === m && base.functions.get(m)?.code === print.functions.get(m)?.code) report.migrate = null;
    return report.changed.length > 0 || report.migrate || report.initialisers.length > 0 ? report.changed : null;
  }));
  const done = report as DiffReport | null;
  if (!done) throw new Error("the edited build was not compared");
  if (!a) return { report: done, patch: null, timings: steps.timings };
  const b = await steps.time("compile relocation", () => compile(ANALYSIS_MEMORY_BASE + MEMORY_DELTA, ANALYSIS_TABLE_BASE + TABLE_DELTA, () => done.changed));
  const patch = await finishPatch({
    base: o.base, manifest, a, b: b!, source: `diff of ${entries.join(", ")}`, safepoints: o.safepoints,
    outFile: o.outFile === undefined ? undefined : resolve(cwd, o.outFile), root, steps, shadowFields: shadow.fields,
  });
  return { report: done, patch, timings: steps.timings };
}

/** An edited file's text (path relative to the root): held in memory, else on disk; null when it is gone. */
async function editedText(path: string, root: string, files?: Record<string, string>): Promise<string | null> {
  if (files && Object.hasOwn(files, path)) return files[path]!;
  try {
    return await readFile(resolve(root, path), "utf8");
  } catch {
    return null;
  }
}

/** Code hotwasm adds to a patch (shadow tables, support file), not the user's. */
function isSupportCode(name: string): boolean {
  return name.startsWith(SUPPORT_PREFIX) || name.includes("__hotwasm$") || name.includes("HotwasmShadow<") || name.includes("HotwasmBox<") || name.includes("HotwasmCell");
}
