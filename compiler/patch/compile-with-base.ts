// One compilation of the app (its entries, and a patch file if any) with the base's compiler
// options, for a patch or a diff: the caller sees the unoptimised module, and the compilation
// stops there (common/compile-capture.ts). The base analysis, the diff's edited build and both
// relocation builds of a patch all go through here, set up alike (program-setup.ts).

import { NodeKind, type Program } from "assemblyscript";
import type binaryenNs from "binaryen";
import { HotwasmError } from "../../host/errors.js";
import type { Manifest } from "../../host/model/manifest.js";
import { NO_CONFIG } from "../base/build.js";
import type { Binaryen } from "../common/binaryen-util.js";
import { compileCapture } from "../common/compile-capture.js";
import { setUpAfterInitialize, setUpAfterParse } from "./program-setup.js";
import { classIdProblem } from "../common/class-ids.js";
import { exposePrivateImports, hideExposedNames, restoreFlags, type ExposedNames } from "./private-imports.js";

/** What to compile. */
export interface BaseCompile<T> {
  manifest: Manifest;
  /** The project root (asc's base directory). */
  root: string;
  /** Sources held in memory, by path relative to the root. */
  files?: Record<string, string>;
  /** Entry files, relative to the root. */
  entries: string[];
  /** A patch file compiled with them (relative to the root), which may not run code at the top level. */
  patchFile?: string | null;
  ascArgs?: string[];
  memoryBase: number;
  tableBase: number;
  /** Files of `files` rewritten with shadow fields (shadow-fields.ts). */
  shadowFiles?: readonly string[];
  /** Run a function marked `// @hotwasm-migrate` at load (default true). */
  migration?: boolean;
  /** Takes what it needs of the unoptimised module. */
  onCompiled(b: Binaryen, module: binaryenNs.Module, program: Program): T;
}

/** Compiles and returns what `onCompiled` returned; throws its HotwasmError, or a BuildError for asc's errors. */
export async function compileWithBase<T>(c: BaseCompile<T>): Promise<T> {
  const patchPath = c.patchFile ? c.patchFile.replace(/\.ts$/, "") : null;
  const argv = [
    ...c.entries, ...(c.patchFile ? [c.patchFile] : []), "--config", NO_CONFIG, ...ascOptions(c.manifest), ...(c.ascArgs ?? []),
    "-O0", "--memoryBase", String(c.memoryBase), "--tableBase", String(c.tableBase),
  ];
  let compiled: Program | null = null;
  let exposed: ExposedNames | null = null;
  try {
    return await compileCapture({
      argv, root: c.root, files: c.files,
      onParsed: (program, parser) => {
        compiled = program;
        // Runtime exported, the base's class ids pinned, its free-object hook, the support file (program-setup.ts).
        setUpAfterParse(parser, program, { manifest: c.manifest, shadowFiles: c.shadowFiles, migration: c.migration });
        if (patchPath === null) return;
        checkTopLevel(program, patchPath);
        // The patch may import the app's module-private names (private-imports.ts).
        exposed = exposePrivateImports(program, patchPath);
      },
      onInitialized: (program) => {
        setUpAfterInitialize(program, { manifest: c.manifest });
        if (exposed) hideExposedNames(program, exposed);
      },
      onCompiled: c.onCompiled,
    });
  } catch (err) {
    // A class of the base the build never created stops asc inside its compiler: say which.
    throw (compiled && classIdProblem(compiled)) ?? err;
  } finally {
    if (exposed) restoreFlags(exposed);
  }
}

/** The asc options of the base build that change code. */
export function ascOptions(manifest: Manifest): string[] {
  const f = manifest.compiler.flags;
  const out = ["--runtime", String(f.runtime)];
  if (f.noAssert === true) out.push("--noAssert");
  if (typeof f.stackSize === "number" && f.stackSize > 0) out.push("--stackSize", String(f.stackSize));
  if (typeof f.lowMemoryLimit === "number" && f.lowMemoryLimit > 0) out.push("--lowMemoryLimit", String(f.lowMemoryLimit));
  const unchecked = ["default", "never", "always"][Number(f.uncheckedBehavior ?? 0)];
  if (unchecked && unchecked !== "default") out.push("--uncheckedBehavior", unchecked);
  return out;
}

const ALLOWED_TOP_LEVEL = new Set<number>([
  NodeKind.Import, NodeKind.Export, NodeKind.ExportDefault, NodeKind.ExportImport, NodeKind.Variable,
  NodeKind.ClassDeclaration, NodeKind.EnumDeclaration, NodeKind.FunctionDeclaration, NodeKind.InterfaceDeclaration,
  NodeKind.NamespaceDeclaration, NodeKind.TypeDeclaration, NodeKind.Module,
]);

/** A patch file may declare, but not run code at the top level (the app's state lives in the base). */
function checkTopLevel(program: Program, patchPath: string): void {
  const sources = program.sources as unknown as { internalPath: string; statements: { kind: number; range: { start: number } }[]; text: string }[];
  const source = sources.find((s) => s.internalPath === patchPath);
  if (!source) throw new HotwasmError("E_PATCH_SOURCE", `the patch file ${patchPath}.ts was not compiled`);
  for (const st of source.statements) {
    if (!ALLOWED_TOP_LEVEL.has(st.kind)) {
      const line = source.text.slice(0, st.range.start).split("\n").length;
      throw new HotwasmError("E_PATCH_SOURCE", `${patchPath}.ts:${line}: a patch may not run code at the top level; move it into a function or HPBeforeLoad`);
    }
  }
}
