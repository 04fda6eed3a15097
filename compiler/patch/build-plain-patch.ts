// Builds a hand-written, hotgo-style patch from one AssemblyScript file: compiled on its own with
// the stub runtime, the base's memory imported and its static data placed in the base's patch
// arena; stamped with the base build id and its default config. Such a patch must not allocate.

import { runAsc } from "../common/run-asc.js";
import { appendCustomSection } from "../common/custom-section.js";
import { manifestOf, NO_CONFIG } from "../base/build.js";
import { encodePatchMeta, PATCH_SECTION, type PatchMeta } from "../../host/model/patch-meta.js";
import { readModule } from "../../host/wasm/wasm-reader.js";
import type { SymbolMap } from "../../host/model/config.js";

/** What to build. */
export interface PlainPatchOptions {
  /** The patch source file. */
  entry: string;
  /** The base build's bytes. */
  base: Uint8Array;
  /** Default replace_config / ref_config embedded in the patch. */
  replace_config?: SymbolMap;
  ref_config?: SymbolMap;
  /** Offset into the arena for the patch's data (to keep several plain patches apart). */
  arenaOffset?: number;
  ascArgs?: string[];
  cwd?: string;
  files?: Record<string, string>;
}

/** Compiles and stamps a plain patch; throws if it allocates or its data does not fit the arena. */
export async function buildPlainPatch(options: PlainPatchOptions): Promise<Uint8Array> {
  const manifest = manifestOf(options.base);
  const { arena } = manifest;
  const memoryBase = arena.start + (options.arenaOffset ?? 0);
  const argv = [
    // A patch is its own program: the project's asconfig.json (the app's entries) must not apply.
    options.entry, "--config", NO_CONFIG, "--runtime", "stub", "--importMemory", "--noExportMemory", "--memoryBase", String(memoryBase),
    "-O3", ...(options.ascArgs ?? []),
  ];
  const { binary } = await runAsc({ argv, cwd: options.cwd ?? process.cwd(), files: options.files, transforms: [RefuseAllocation] });
  const info = readModule(binary);
  for (const seg of info.data) {
    const end = (seg.offset ?? 0) + seg.size;
    if (seg.mode === "active" && end > arena.start + arena.size) {
      throw new Error(`the patch's static data ends at ${end}, past the arena's end ${arena.start + arena.size}; shrink it or build the base with a larger arena`);
    }
  }
  const meta: PatchMeta = { hotwasm: 1, base_build_id: manifest.buildId, source: options.entry };
  if (options.replace_config) meta.replace_config = options.replace_config;
  if (options.ref_config) meta.ref_config = options.ref_config;
  return appendCustomSection(binary, PATCH_SECTION, encodePatchMeta(meta));
}

/** A transform that fails the build when the patch would use its own allocator. */
class RefuseAllocation {
  declare binaryen: { getFunctionInfo(ref: number): { name: string } };
  afterCompile(module: { getNumFunctions(): number; getFunctionByIndex(i: number): number }): void {
    for (let i = 0; i < module.getNumFunctions(); i++) {
      const { name } = this.binaryen.getFunctionInfo(module.getFunctionByIndex(i));
      if (name.startsWith("~lib/rt/stub/__alloc") || name.startsWith("~lib/rt/stub/__new")) {
        throw new Error(
          "this patch allocates (strings built at run time, arrays, objects); a plain patch shares the base's memory and must not. " +
            "Keep to literals and numbers, or use `hotwasm patch` which builds against the base's runtime.",
        );
      }
    }
  }
}
