// Runs the AssemblyScript compiler in-process, with sources optionally held in memory, and
// returns the binary instead of writing it.

import asc from "assemblyscript/asc";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { isHotwasmError } from "../../host/errors.js";

/** How to run asc. */
export interface AscRun {
  /** asc arguments (entries and options), without an output file. */
  argv: string[];
  /** The project directory. */
  cwd: string;
  /** Sources held in memory, by path relative to cwd; they shadow the disk. */
  files?: Record<string, string>;
  /** Transform classes. */
  transforms?: unknown[];
  /** Compile only (the transforms see the module); no binary is expected. */
  noEmit?: boolean;
}

/** Thrown when asc reports errors; `log` has its diagnostics. */
export class BuildError extends Error {
  override readonly name = "BuildError";
  constructor(message: string, readonly log: string) {
    super(message);
  }
}

/** Compiles; returns the binary and what asc printed. */
export async function runAsc(run: AscRun): Promise<{ binary: Uint8Array; log: string }> {
  const virtualOut = "__hotwasm_out__.wasm";
  let binary: Uint8Array | null = null;
  const stderr = asc.createMemoryStream();
  const files = new Map(Object.entries(run.files ?? {}).map(([p, text]) => [resolve(run.cwd, p), text]));
  const result = await asc.main([...run.argv, "--outFile", virtualOut, "--baseDir", run.cwd], {
    stdout: asc.createMemoryStream(),
    stderr,
    transforms: (run.transforms ?? []) as never,
    readFile: async (name, baseDir) => {
      const key = resolve(baseDir, name);
      if (files.has(key)) return files.get(key)!;
      try {
        return await readFile(key, "utf8");
      } catch {
        return null;
      }
    },
    writeFile: (name, contents) => {
      if (name === virtualOut && typeof contents !== "string") binary = contents;
    },
  });
  const log = stderr.toString();
  // A transform's coded refusal (e.g. E_NO_ARENA) is the build's answer, not a compiler failure.
  if (result.error && isHotwasmError(result.error)) throw result.error;
  if (result.error) throw new BuildError(`asc failed: ${result.error.message}\n${log}`.trim(), log);
  if (run.noEmit) return { binary: new Uint8Array(0), log };
  if (!binary) throw new BuildError("asc produced no binary", log);
  return { binary, log };
}
