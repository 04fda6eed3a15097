// `hotwasm patch`: builds a patch from an AssemblyScript file that imports from the app's own
// modules. The app's entries and the patch are compiled together with the base's options
// (so class ids and layouts match), cut down to a patch, built twice for relocation, optimised,
// and stamped with the base build id, its default config and what the host needs to place it.

import { version as ascVersion } from "assemblyscript/asc";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { PatchMeta } from "../../host/model/patch-meta.js";
import { manifestOf } from "../base/build.js";
import { MEMORY_DELTA, TABLE_DELTA } from "./relocate-patch.js";
import { compileWithBase } from "./compile-with-base.js";
import { cutProgram } from "./cut-program.js";
import { finishPatch, type PatchBuildResult } from "./finish-patch.js";
import { checkRootHoldsBase, filesInRoot, findProjectRoot, pathInRoot, type ProjectRoot } from "../common/project-root.js";

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
  /** The directory paths are relative to (default: the process's). */
  cwd?: string;
  /** The project root (default: found from the patch file; common/project-root.ts). */
  root?: string;
  /** Sources held in memory, by path relative to cwd; they shadow the disk. */
  files?: Record<string, string>;
  /** Safepoint polls in the patch when the base has them (default true; patch-safepoints.ts). */
  safepoints?: boolean;
}

export type { PatchBuildResult } from "./finish-patch.js";

/** Builds a patch against `base`. */
export async function buildPatch(options: PatchBuildOptions): Promise<PatchBuildResult> {
  const cwd = options.cwd ?? process.cwd();
  const root = findProjectRoot(cwd, [options.patch], options.root);
  const patchFile = pathInRoot(root, cwd, options.patch);
  const files = filesInRoot(root, cwd, options.files);
  const source = files?.[patchFile] ?? (await readFile(resolve(root.dir, patchFile), "utf8"));
  const replace = { ...replaceMarkers(source), ...options.replace };
  const outFile = options.outFile === undefined ? undefined : resolve(cwd, options.outFile);
  return buildLinkedPatch({ base: options.base, root, files, patchFile, replace, outFile, safepoints: options.safepoints });
}

/** What a linked patch is built from: the base's entries, plus a patch file or a list of targets. */
export interface LinkedPatchOptions {
  base: Uint8Array;
  /** The project root; every path here is relative to it. */
  root: ProjectRoot;
  /** Sources held in memory, by path relative to the root. */
  files?: Record<string, string>;
  /** The patch file (its exports are the replacements). */
  patchFile?: string;
  replace?: Record<string, string>;
  /** Or: base functions whose new versions (from the edited entries) replace them. */
  targets?: string[];
  /** Where to write the patch (relative to the root, or absolute). */
  outFile?: string;
  /** More asc options (must not change what the base's manifest records). */
  ascArgs?: string[];
  /** Safepoint polls in the patch when the base has them (default true). */
  safepoints?: boolean;
}

/** Compiles, cuts, relocates and stamps a patch. */
export async function buildLinkedPatch(o: LinkedPatchOptions): Promise<PatchBuildResult> {
  const manifest = manifestOf(o.base);
  const entries = manifest.entries.map((e) => `${e}.ts`);
  checkRootHoldsBase(o.root, manifest, o.files);
  const cut = (memoryBase: number, tableBase: number) => compileWithBase({
    manifest, root: o.root.dir, files: o.files, entries, patchFile: o.patchFile ?? null, ascArgs: o.ascArgs, memoryBase, tableBase,
    onCompiled: (b, module, program) => cutProgram(b, module, program, { manifest, patchPath: o.patchFile?.replace(/\.ts$/, "") ?? null, replace: o.replace ?? {}, targets: o.targets, compilerVersion: ascVersion }, memoryBase),
  });
  // asc keeps table index 0 free, so table entries start at 1 in both builds.
  const a = await cut(0, 1);
  const b = await cut(MEMORY_DELTA, 1 + TABLE_DELTA);
  return finishPatch({ base: o.base, manifest, a, b, source: o.patchFile ?? `diff of ${entries.join(", ")}`, safepoints: o.safepoints, outFile: o.outFile, root: o.root });
}

/** `// @hotwasm-replace TARGET` right before `export function NAME`. */
function replaceMarkers(source: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /@hotwasm-replace\s+(\S+)[^\n]*\n(?:\s*(?:\/\/[^\n]*|@[^\n]*)?\n)*?\s*export\s+function\s+([\w$]+)/g;
  for (const m of source.matchAll(re)) out[m[2]!] = m[1]!;
  return out;
}
