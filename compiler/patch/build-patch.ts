// `hotwasm patch`: builds a patch from an AssemblyScript file that imports from the app's own
// modules. The app's entries and the patch are compiled together with the base's options
// (so class ids and layouts match), cut down to a patch, built twice for relocation, optimised,
// and stamped with the base build id, its default config and what the host needs to place it.

import { version as ascVersion } from "assemblyscript/asc";
import { NodeKind, type Parser, type Program } from "assemblyscript";
import { Transform } from "assemblyscript/transform";
import type binaryenNs from "binaryen";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { HotwasmError } from "../../host/errors.js";
import type { Manifest } from "../../host/model/manifest.js";
import { encodePatchMeta, PATCH_SECTION, type PatchMeta } from "../../host/model/patch-meta.js";
import { manifestOf, NO_CONFIG } from "../base/build.js";
import type { Binaryen } from "../common/binaryen-util.js";
import { appendCustomSection } from "../common/custom-section.js";
import { cutPatch, type CutResult } from "./patch-transform.js";
import { MEMORY_DELTA, relocatePatch, TABLE_DELTA } from "./relocate-patch.js";
import { addPatchSafepoints } from "./patch-safepoints.js";
import { runAsc } from "../common/run-asc.js";
import { setUpAfterInitialize, setUpAfterParse, type SetupResult } from "./program-setup.js";

/** What to build. */
export interface PatchBuildOptions {
  /** The patch source file, relative to cwd. */
  patch: string;
  /** The base build's bytes. */
  base: Uint8Array;
  /** Explicit targets: patch export -> base symbol (also `// @hotwasm-replace TARGET` before the export). */
  replace?: Record<string, string>;
  /** Where to write the patch; none: write nothing. */
  outFile?: string;
  cwd?: string;
  files?: Record<string, string>;
  /** Safepoint polls in the patch when the base has them (default true; patch-safepoints.ts). */
  safepoints?: boolean;
}

/** A built patch. */
export interface PatchBuildResult {
  binary: Uint8Array;
  meta: PatchMeta;
  outFile: string | null;
}

const ALLOWED_TOP_LEVEL = new Set<number>([
  NodeKind.Import, NodeKind.Export, NodeKind.ExportDefault, NodeKind.ExportImport, NodeKind.Variable,
  NodeKind.ClassDeclaration, NodeKind.EnumDeclaration, NodeKind.FunctionDeclaration, NodeKind.InterfaceDeclaration,
  NodeKind.NamespaceDeclaration, NodeKind.TypeDeclaration, NodeKind.Module,
]);

/** Builds a patch against `base`. */
export async function buildPatch(options: PatchBuildOptions): Promise<PatchBuildResult> {
  const cwd = options.cwd ?? process.cwd();
  const patchFile = relative(cwd, resolve(cwd, options.patch)).replace(/\\/g, "/");
  if (patchFile.startsWith("..")) throw new HotwasmError("E_PATCH_SOURCE", `the patch ${options.patch} must lie inside the project directory ${cwd}`);
  const source = options.files?.[patchFile] ?? (await readFile(resolve(cwd, patchFile), "utf8"));
  const replace = { ...replaceMarkers(source), ...options.replace };
  return buildLinkedPatch({ base: options.base, cwd, files: options.files, patchFile, replace, outFile: options.outFile, safepoints: options.safepoints });
}

/** What a linked patch is built from: the base's entries, plus a patch file or a list of targets. */
export interface LinkedPatchOptions {
  base: Uint8Array;
  cwd: string;
  files?: Record<string, string>;
  /** The patch file (its exports are the replacements). */
  patchFile?: string;
  replace?: Record<string, string>;
  /** Or: base functions whose new versions (from the edited entries) replace them. */
  targets?: string[];
  outFile?: string;
  /** More asc options (must not change what the base's manifest records). */
  ascArgs?: string[];
  /** Safepoint polls in the patch when the base has them (default true). */
  safepoints?: boolean;
  /** Files of `files` rewritten with shadow fields (patch/shadow-fields.ts), and the fields ("file/Class.field"). */
  shadowFiles?: readonly string[];
  shadowFields?: readonly string[];
  /** Run the function marked `// @hotwasm-migrate` at load (default true). */
  migration?: boolean;
}

/** Compiles, cuts, relocates and stamps a patch. */
export async function buildLinkedPatch(o: LinkedPatchOptions): Promise<PatchBuildResult> {
  const manifest = manifestOf(o.base);
  const entries = manifest.entries.map((e) => `${e}.ts`);
  for (const e of entries) {
    if (!o.files?.[e] && !existsSync(resolve(o.cwd, e))) throw new HotwasmError("E_PATCH_SOURCE", `the base's entry ${e} is not in ${o.cwd}; build patches from the app's project directory`);
  }
  const patchPath = o.patchFile ? o.patchFile.replace(/\.ts$/, "") : null;
  const cut = (memoryBase: number, tableBase: number) =>
    compileCut({ cwd: o.cwd, files: o.files, entries, patchFile: o.patchFile ?? null, patchPath, manifest, replace: o.replace ?? {}, targets: o.targets, ascArgs: o.ascArgs ?? [], shadowFiles: o.shadowFiles, shadowFields: o.shadowFields, migration: o.migration, memoryBase, tableBase });
  // asc keeps table index 0 free, so table entries start at 1 in both builds.
  const a = await cut(0, 1);
  const b = await cut(MEMORY_DELTA, 1 + TABLE_DELTA);
  const flags = manifest.compiler.flags;
  const relocated = relocatePatch(a, b, { optimize: Number(flags.optimizeLevel ?? 0), shrink: Number(flags.shrinkLevel ?? 0) });
  const code = o.safepoints === false ? relocated.binary : addPatchSafepoints(relocated.binary, manifest).binary;
  const meta: PatchMeta = {
    hotwasm: 1,
    base_build_id: manifest.buildId,
    replace_config: a.replace,
    source: o.patchFile ?? `diff of ${entries.join(", ")}`,
    compiler: { version: manifest.compiler.version, flags: manifest.compiler.flags },
    link: {
      data_size: relocated.data.size,
      memory_relocs: relocated.data.memoryRelocs,
      table_relocs: relocated.data.tableRelocs,
      table_size: relocated.tableSize,
      rtti_offset: a.rttiOffset,
      classes: a.classes.added.map((c) => ({ id: c.id, name: c.name })),
      base_classes: a.classes.baseCount,
      ...(o.shadowFields && o.shadowFields.length > 0 ? { shadow_fields: [...o.shadowFields] } : {}),
    },
  };
  const binary = appendCustomSection(code, PATCH_SECTION, encodePatchMeta(meta));
  let outFile: string | null = null;
  if (o.outFile) {
    outFile = resolve(o.cwd, o.outFile);
    await mkdir(dirname(outFile), { recursive: true });
    await writeFile(outFile, binary);
  }
  return { binary, meta, outFile };
}

interface CompileCut {
  cwd: string;
  files?: Record<string, string>;
  entries: string[];
  patchFile: string | null;
  patchPath: string | null;
  manifest: Manifest;
  replace: Record<string, string>;
  targets?: string[];
  ascArgs: string[];
  shadowFiles?: readonly string[];
  shadowFields?: readonly string[];
  migration?: boolean;
  memoryBase: number;
  tableBase: number;
}

async function compileCut(c: CompileCut): Promise<CutResult & { rttiOffset: number | null }> {
  let result: (CutResult & { rttiOffset: number | null }) | null = null;
  let failure: unknown = null;
  let setup: SetupResult = { migrate: null };
  class CutTransform extends Transform {
    declare readonly program: Program;
    declare readonly binaryen: unknown;
    afterParse(parser: Parser): void {
      try {
        setup = setUpAfterParse(parser, this.program, { manifest: c.manifest, shadowFiles: c.shadowFiles, migration: c.migration });
        if (c.patchPath !== null) checkTopLevel(this.program, c.patchPath);
      } catch (err) {
        failure = err;
        throw err;
      }
    }
    afterInitialize(): void {
      try {
        setUpAfterInitialize(this.program, { manifest: c.manifest });
      } catch (err) {
        failure = err;
        throw err;
      }
    }
    afterCompile(module: binaryenNs.Module): void {
      try {
        const b = this.binaryen as Binaryen;
        const rttiOffset = constantGlobal(b, module, "~lib/rt/__rtti_base");
        const cut = cutPatch(b, module, this.program, { manifest: c.manifest, patchPath: c.patchPath, replace: c.replace, targets: c.targets, compilerVersion: ascVersion, migrate: setup.migrate, shadowFields: c.shadowFields });
        result = { ...cut, rttiOffset: rttiOffset === null ? null : rttiOffset - c.memoryBase };
      } catch (err) {
        failure = err;
        throw err;
      }
    }
  }
  const argv = [...c.entries, ...(c.patchFile ? [c.patchFile] : []), "--config", NO_CONFIG, ...ascOptions(c.manifest), ...c.ascArgs, "-O0", "--memoryBase", String(c.memoryBase), "--tableBase", String(c.tableBase)];
  try {
    await runAsc({ argv, cwd: c.cwd, files: c.files, transforms: [CutTransform] });
  } catch (err) {
    if (failure) throw failure;
    throw err;
  }
  if (!result) throw new HotwasmError("E_PATCH_SOURCE", "the patch build produced no module");
  return result;
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

/** `// @hotwasm-replace TARGET` right before `export function NAME`. */
function replaceMarkers(source: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /@hotwasm-replace\s+(\S+)[^\n]*\n(?:\s*(?:\/\/[^\n]*|@[^\n]*)?\n)*?\s*export\s+function\s+([\w$]+)/g;
  for (const m of source.matchAll(re)) out[m[2]!] = m[1]!;
  return out;
}

function constantGlobal(b: Binaryen, module: binaryenNs.Module, name: string): number | null {
  const ref = module.getGlobal(name);
  if (!ref) return null;
  const init = b.getExpressionInfo(b.getGlobalInfo(ref).init) as { id: number; value?: number };
  return init.id === b.ConstId && typeof init.value === "number" ? init.value : null;
}
