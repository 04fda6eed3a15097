// The asc transform (`asc --transform hotwasm/transform`): makes the compiled module patchable
// before validation and optimisation, and embeds the manifest. Options come from a subclass
// made by `withOptions`, or from HOTWASM_PATCHABLE (comma-separated globs), HOTWASM_ARENA,
// HOTWASM_SAFEPOINTS (off, entries, loops, both), HOTWASM_POLL_INTERVAL, HOTWASM_VERSION_LOOPS
// (0: no loop versioning, version-loops.ts) and HOTWASM_FINALIZE (0: no free-object hook,
// common/finalize-hook.ts). After the optimiser, the standard-library functions still there are
// exported for patches to call (export-library.ts). Given twice to one compilation (`hotwasm
// build` in a project whose asconfig.json lists the transform), only the first runs.

import { version as ascVersion } from "assemblyscript/asc";
import { Transform } from "assemblyscript/transform";
import type { Parser, Program } from "assemblyscript";
import type binaryenNs from "binaryen";
import { buildManifestSection } from "./manifest-builder.js";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { flagGlobalOf, makePatchable, type PatchableOptions, type RewriteOutcome } from "./make-patchable.js";
import { versionLoops } from "./version-loops.js";
import { splitTwins } from "./split-twins.js";
import { encodeLibrary, exportLibrary, libraryFunctions } from "./export-library.js";
import { LIBRARY_SECTION } from "../../host/model/manifest.js";
import { findNoPatchMarkers } from "./source-markers.js";
import { addFinalizeHook } from "../common/finalize-hook.js";
import { validateOrThrow, type Binaryen } from "../common/binaryen-util.js";
import { collectSources, encodeSources, SOURCES_SECTION } from "../common/embed-sources.js";
import { DEFAULT_POLL_INTERVAL, insertSafepoints, type SafepointMode, type SafepointOptions } from "./insert-safepoints.js";

/** Default size of the patch arena in bytes. */
export const DEFAULT_ARENA_SIZE = 65536;

/** Options of the transform: the rewrite's and where safepoint polls go. */
export type TransformOptions = PatchableOptions & { safepoints: SafepointOptions; sources?: boolean; versionLoops?: boolean; finalizeHook?: boolean };

/** The hotwasm transform. */
export default class HotwasmTransform extends Transform {
  /** Options fixed by `withOptions`; otherwise read from the environment. */
  static options: Partial<TransformOptions> | null = null;
  declare readonly program: Program;
  declare readonly binaryen: unknown;
  private noPatch = new Set<string>();
  /** False when another hotwasm transform already works on this program. */
  private active = false;

  /** A transform class with fixed options (for `hotwasm build` and tests). */
  static withOptions(options: Partial<TransformOptions>): typeof HotwasmTransform {
    return class extends HotwasmTransform {
      static override options = options;
    };
  }

  afterParse(parser: Parser): void {
    this.active = claimProgram(this.program);
    if (!this.active) return;
    // The host and patches need the runtime entry points (__new, __pin, __unpin, __collect, __rtti_base).
    this.program.options.exportRuntime = true;
    this.noPatch = findNoPatchMarkers(this.program);
    if (resolveOptions((this.constructor as typeof HotwasmTransform).options).finalizeHook) addFinalizeHook(parser, this.program);
  }

  afterCompile(module: binaryenNs.Module): void {
    if (!this.active) return;
    const b = this.binaryen as unknown as Binaryen;
    const program = this.program;
    const options = resolveOptions((this.constructor as typeof HotwasmTransform).options);
    const outcome = makePatchable(b, module, program, { ...options, noPatch: this.noPatch });
    const safepoints = insertSafepoints(b, module, outcome, options.safepoints);
    splitTwins(b, module, outcome.functions);
    const section = buildManifestSection(b, module, program, { ...outcome, safepoints }, ascVersion, projectOf((this as unknown as { baseDir?: string }).baseDir));
    module.addCustomSection(section.name, section.bytes);
    if (options.sources) module.addCustomSection(SOURCES_SECTION, encodeSources(collectSources(program)));
    validateOrThrow(module, "hotwasm transform", b);
    const library = libraryFunctions(program, outcome.functions);
    runAfterOptimizing(module, () => {
      if (options.versionLoops) {
        versionLoops(b, module, flagSlots(outcome), tableOf(b, module, outcome));
        validateOrThrow(module, "hotwasm loop versioning", b);
      }
      module.addCustomSection(LIBRARY_SECTION, encodeLibrary(exportLibrary(b, module, library)));
    });
  }
}

/** Marks `program` as transformed; false when it was already (by any copy of this module). */
function claimProgram(program: Program): boolean {
  const key = Symbol.for("hotwasm.patchable-transform");
  const marked = program as unknown as Record<symbol, boolean>;
  if (marked[key]) return false;
  marked[key] = true;
  return true;
}

/**
 * Runs `pass` once, right after asc's optimiser: asc calls the module's runPasses (its
 * --runPasses list, often empty) right after optimize, on the object afterCompile was given.
 */
function runAfterOptimizing(module: binaryenNs.Module, pass: () => void): void {
  const original = module.runPasses.bind(module);
  let done = false;
  module.runPasses = (passes: string[]) => {
    original(passes);
    if (!done) { done = true; pass(); }
  };
}

/** asc's base directory is the project root (compiler/common/project-root.ts). */
function projectOf(baseDir: string | undefined) {
  const root = resolve(baseDir ?? ".");
  const marker = ["asconfig.json", "package.json"].find((m) => existsSync(join(root, m))) ?? "base directory";
  return { root, marker };
}

function flagSlots(outcome: RewriteOutcome): Map<string, number> {
  return new Map(outcome.functions.filter((f) => f.slot !== null).map((f) => [flagGlobalOf(f.slot!), f.slot!]));
}

function tableOf(b: Binaryen, module: binaryenNs.Module, outcome: RewriteOutcome): string {
  return b.getExportInfo(module.getExport(outcome.table.export)).value;
}

function resolveOptions(fixed: Partial<TransformOptions> | null): TransformOptions {
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
  const patchable = fixed?.patchable ?? (env.HOTWASM_PATCHABLE ? env.HOTWASM_PATCHABLE.split(",").map((s) => s.trim()).filter(Boolean) : []);
  const arenaSize = fixed?.arenaSize ?? (env.HOTWASM_ARENA ? Number(env.HOTWASM_ARENA) : DEFAULT_ARENA_SIZE);
  if (!Number.isInteger(arenaSize) || arenaSize < 0 || arenaSize > 256 * 1024 * 1024) {
    throw new Error(`hotwasm: the arena size must be a whole number of bytes up to 256 MiB, not ${arenaSize}`);
  }
  const sources = fixed?.sources ?? env.HOTWASM_SOURCES !== "0";
  const versionLoops = fixed?.versionLoops ?? env.HOTWASM_VERSION_LOOPS !== "0";
  const finalizeHook = fixed?.finalizeHook ?? env.HOTWASM_FINALIZE !== "0";
  const safepoints = fixed?.safepoints ?? {
    mode: (env.HOTWASM_SAFEPOINTS ?? "off") as SafepointMode,
    interval: env.HOTWASM_POLL_INTERVAL ? Number(env.HOTWASM_POLL_INTERVAL) : DEFAULT_POLL_INTERVAL,
  };
  return { patchable, arenaSize, safepoints, sources, versionLoops, finalizeHook };
}
