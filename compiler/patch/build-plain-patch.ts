// Builds a hand-written, hotgo-style patch from one AssemblyScript file: compiled on its own with
// the stub runtime and the base's memory imported, then made position-independent like every
// other patch (relocate-patch.ts): the host places its static data in a free range of the arena
// at load time, so any number of plain patches can be in force together. Its literals the base
// already holds are the base's own. Stamped with the base build id and its default config, and
// checked against the base before it is returned. Such a patch must not allocate.

import { HotwasmError } from "../../host/errors.js";
import { encodePatchMeta, PATCH_SECTION, type PatchMeta } from "../../host/model/patch-meta.js";
import type { SymbolMap } from "../../host/model/config.js";
import { manifestOf, NO_CONFIG } from "../base/build.js";
import { compileCapture } from "../common/compile-capture.js";
import { appendCustomSection } from "../common/custom-section.js";
import { dataSegments, type Binaryen, type BinaryenModule } from "../common/binaryen-util.js";
import type { ProgramCut } from "./cut-program.js";
import { MEMORY_DELTA, relocatePatch, TABLE_DELTA } from "./relocate-patch.js";
import { checkPatchFits } from "./check-fit.js";

/** What to build. */
export interface PlainPatchOptions {
  /** The patch source file. */
  entry: string;
  /** The base build's bytes. */
  base: Uint8Array;
  /** Default replace_config / ref_config embedded in the patch. */
  replace_config?: SymbolMap;
  ref_config?: SymbolMap;
  /** @deprecated Ignored: the host places a plain patch's data at load time. */
  arenaOffset?: number;
  ascArgs?: string[];
  cwd?: string;
  files?: Record<string, string>;
}

/** Compiles, relocates, stamps and checks a plain patch; throws if it allocates or does not fit the base. */
export async function buildPlainPatch(options: PlainPatchOptions): Promise<Uint8Array> {
  const manifest = manifestOf(options.base);
  const cwd = options.cwd ?? process.cwd();
  const capture = (memoryBase: number, tableBase: number) => compileCapture({
    // A patch is its own program: the project's asconfig.json (the app's entries) must not apply.
    argv: [
      options.entry, "--config", NO_CONFIG, "--runtime", "stub", "--importMemory", "--noExportMemory", ...(options.ascArgs ?? []),
      "-O0", "--memoryBase", String(memoryBase), "--tableBase", String(tableBase),
    ],
    root: cwd, files: options.files,
    onCompiled: (b, module) => {
      refuseAllocation(b, module);
      return cutPlain(b, module, memoryBase, manifest.classes.length);
    },
  });
  const a = await capture(0, 1);
  const b = await capture(MEMORY_DELTA, 1 + TABLE_DELTA);
  const relocated = relocatePatch(a, b, {
    optimize: 3, shrink: 0, keepRtti: false, base: options.base, classCount: manifest.classes.length, baseMemoryBase: Number(manifest.compiler.flags.memoryBase ?? 0),
  });
  const meta: PatchMeta = {
    hotwasm: 1, base_build_id: manifest.buildId, source: options.entry,
    link: {
      data_size: relocated.data.size, memory_relocs: relocated.data.memoryRelocs, table_relocs: relocated.data.tableRelocs,
      table_size: relocated.tableSize, rtti_offset: null, classes: [], base_classes: manifest.classes.length,
    },
  };
  if (options.replace_config) meta.replace_config = options.replace_config;
  if (options.ref_config) meta.ref_config = options.ref_config;
  const binary = appendCustomSection(relocated.binary, PATCH_SECTION, encodePatchMeta(meta));
  checkPatchFits(options.base, binary);
  return binary;
}

/** The plain patch's module as relocation takes it: data and table entries apart, no runtime start code. */
function cutPlain(b: Binaryen, module: BinaryenModule, memoryBase: number, baseClasses: number): ProgramCut {
  dropRuntimeStart(b, module);
  const data = dataSegments(module).filter((s) => !s.passive).map((s) => ({ offset: s.offset ?? 0, bytes: new Uint8Array(s.data) }));
  const elements: ProgramCut["elements"] = [];
  for (let i = module.getNumElementSegments() - 1; i >= 0; i--) {
    const seg = b.getElementSegmentInfo(module.getElementSegmentByIndex(i));
    const offset = b.getExpressionInfo(seg.offset) as { id: number; value?: number };
    if (offset.id !== b.ConstId) throw new HotwasmError("E_TABLE_WRITE", "an element segment of the patch has no constant offset");
    elements.unshift({ offset: offset.value!, names: seg.data });
    module.removeElementSegment(seg.name);
  }
  module.setMemory(0, -1, null, [], false, false, "0");
  for (let i = 0; i < module.getNumTables(); i++) {
    b.Table.setInitial(module.getTableByIndex(i), 0);
    b.Table.setMax(module.getTableByIndex(i), 0xffffffff);
  }
  return {
    text: module.emitText(), data, elements, replace: {}, classes: { added: [], baseCount: baseClasses }, features: module.getFeatures(),
    memoryBase, rttiOffset: null,
  };
}

/** The stub runtime's start code sets its allocator's globals, which a patch that does not allocate never reads. */
function dropRuntimeStart(b: Binaryen, module: BinaryenModule): void {
  const start = module.getStart();
  if (!start) return;
  const text = b.emitText(b.getFunctionInfo(start).body);
  const sets = [...text.matchAll(/\(global\.set \$(\S+)/g)].map((m) => m[1]!);
  const calls = /\(call /.test(text);
  if (!calls && sets.every((g) => g.startsWith("~lib/rt/stub/"))) module.setStart(0);
}

/** Fails the build when the patch would use its own allocator. */
function refuseAllocation(b: Binaryen, module: BinaryenModule): void {
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const { name } = b.getFunctionInfo(module.getFunctionByIndex(i));
    if (name.startsWith("~lib/rt/stub/__alloc") || name.startsWith("~lib/rt/stub/__new")) {
      throw new HotwasmError("E_PATCH_SOURCE",
        "this patch allocates (strings built at run time, arrays, objects); a plain patch shares the base's memory and must not. " +
          "Keep to literals and numbers, or use `hotwasm patch`, which builds against the base's runtime.");
    }
  }
}
