// Runs asc up to the unoptimised module and hands it to the caller, then stops: the module is
// neither validated, optimised nor emitted (the caller takes what it needs in `onCompiled`).
// Patch builds, diffs and the base analysis compile this way, parsing only what they have not
// parsed before (parse-cache.ts).

import type { Parser, Program } from "assemblyscript";
import { Transform } from "assemblyscript/transform";
import type binaryenNs from "binaryen";
import { HotwasmError } from "../../host/errors.js";
import type { Binaryen } from "./binaryen-util.js";
import { BuildError, runAsc } from "./run-asc.js";
import { withParseCache } from "./parse-cache.js";

/** One compilation. */
export interface Capture<T> {
  /** asc arguments (entries and options). */
  argv: string[];
  /** asc's base directory (the project root). */
  root: string;
  /** Sources held in memory, by path relative to the root. */
  files?: Record<string, string>;
  /** After parsing (may throw a HotwasmError to refuse). */
  onParsed?(program: Program, parser: Parser): void;
  /** After the program is initialised, before it is compiled. */
  onInitialized?(program: Program): void;
  /** Takes what it needs of the unoptimised module. */
  onCompiled(b: Binaryen, module: binaryenNs.Module, program: Program): T;
}

/** Sentinel that ends asc's run after afterCompile. */
const DONE = "hotwasm:compiled";

/** Compiles and returns what `onCompiled` returned; throws a hook's error, or a BuildError for asc's errors. */
export async function compileCapture<T>(c: Capture<T>): Promise<T> {
  let result: { value: T } | null = null;
  let failure: unknown = null;
  const guard = <R>(fn: () => R): R => {
    try {
      return fn();
    } catch (err) {
      failure = err;
      throw err;
    }
  };
  class CaptureTransform extends Transform {
    declare readonly program: Program;
    declare readonly binaryen: unknown;
    afterParse(parser: Parser): void {
      guard(() => c.onParsed?.(this.program, parser));
    }
    afterInitialize(): void {
      guard(() => c.onInitialized?.(this.program));
    }
    afterCompile(module: binaryenNs.Module): void {
      result = { value: guard(() => c.onCompiled(this.binaryen as Binaryen, module, this.program)) };
      throw new Error(DONE);
    }
  }
  try {
    await withParseCache(() => runAsc({ argv: [...c.argv, "--noValidate"], cwd: c.root, files: c.files, transforms: [CaptureTransform], noEmit: true }));
  } catch (err) {
    if (failure) throw failure;
    if (!(result && err instanceof BuildError && err.message.includes(DONE))) throw err;
  }
  if (failure) throw failure;
  if (!result) throw new HotwasmError("E_PATCH_SOURCE", "the build produced no module");
  return (result as { value: T }).value;
}
