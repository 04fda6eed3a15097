// Builds a patchable base: runs asc with the hotwasm transform and returns the binary and its
// manifest. Entries and options come from the arguments, else from asconfig.json as asc reads it
// (its "release" target unless another is named).

import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { runAsc } from "../common/run-asc.js";
import HotwasmTransform from "./patchable-transform.js";
import { DEFAULT_POLL_INTERVAL, type SafepointMode } from "./insert-safepoints.js";
export { BuildError } from "../common/run-asc.js";
import { readManifest, type Manifest } from "../../host/model/manifest.js";
import { HotwasmError, describeError } from "../../host/errors.js";
import { DEFAULT_TARGET, readAsconfig } from "./asconfig.js";

/** What to build. */
export interface BuildOptions {
  /** Entry files; none: the entries of asconfig.json. */
  entries?: string[];
  /** Where to write the binary; none: the asconfig target's outFile, else build/app.wasm; false: write nothing. */
  outFile?: string | false;
  /** Globs adding (GLOB) or removing (!GLOB) patchable functions. */
  patchable?: string[];
  /** Bytes reserved for patches' static data. */
  arenaSize?: number;
  /** Safepoint polls for HostPool's stop-the-world swaps (default "off"). */
  safepoints?: SafepointMode;
  /** Poll sites executed between two polls (default 1000). */
  pollInterval?: number;
  /** More asc options, e.g. ["-O3", "--runtime", "stub"]. */
  ascArgs?: string[];
  /** The project directory (default: the process's). */
  cwd?: string;
  /** Sources held in memory, by path relative to cwd; they shadow the disk. */
  files?: Record<string, string>;
  /** Build without the transform (a plain build, for comparisons). */
  plain?: boolean;
  /** Version loops that call inlined patchable functions (default true; version-loops.ts). */
  versionLoops?: boolean;
  /** Embed the program's own sources, for `hotwasm diff` (default true). */
  sources?: boolean;
  /** The asconfig file asc reads (default asconfig.json); false reads none. */
  config?: string | false;
  /** The asconfig target (default "release", as asc picks it). */
  target?: string;
}

/** A finished build. */
export interface BuildResult {
  binary: Uint8Array;
  /** The manifest; null for a plain build. */
  manifest: Manifest | null;
  outFile: string | null;
  /** What asc printed (warnings). */
  log: string;
  /** The asconfig target that applied; null when there was none of that name. */
  target: string | null;
}

/** A config path that never exists: asc then reads no asconfig.json. */
export const NO_CONFIG = "__hotwasm_no_asconfig__.json";

/** Runs asc with the hotwasm transform. */
export async function buildPatchable(options: BuildOptions = {}): Promise<BuildResult> {
  const cwd = options.cwd ?? process.cwd();
  const asconfig = options.config === false ? null : await readAsconfig(cwd, options.config ?? "asconfig.json");
  const targetName = options.target ?? DEFAULT_TARGET;
  if (options.target !== undefined && !asconfig?.targets.includes(options.target)) {
    throw new HotwasmError("E_INVALID_OPTION", `asconfig.json has no target "${options.target}" (it has ${asconfig?.targets.join(", ") || "none"})`);
  }
  const target = asconfig?.targets.includes(targetName) ? targetName : null;
  const outFile = options.outFile === false ? false : options.outFile ?? asconfig?.optionsOf(targetName).outFile ?? "build/app.wasm";
  const safepoints = { mode: options.safepoints ?? "off", interval: options.pollInterval ?? DEFAULT_POLL_INTERVAL };
  const transforms = options.plain ? [] : [HotwasmTransform.withOptions({ patchable: options.patchable ?? [], arenaSize: options.arenaSize, safepoints, sources: options.sources, versionLoops: options.versionLoops })];
  const config = options.config === false ? ["--config", NO_CONFIG] : options.config ? ["--config", options.config] : [];
  // A plain build exports the runtime too, so it differs from a patchable one only by the transform.
  const runtime = options.plain ? ["--exportRuntime"] : [];
  const argv = [...(options.entries ?? []), ...config, ...(options.target ? ["--target", options.target] : []), ...runtime, ...(options.ascArgs ?? [])];
  const { binary: bytes, log } = await runAsc({ argv, cwd, files: options.files, transforms });
  let written: string | null = null;
  if (outFile !== false) {
    written = resolve(cwd, outFile);
    await mkdir(dirname(written), { recursive: true });
    await writeFile(written, bytes);
  }
  return { binary: bytes, manifest: options.plain ? null : manifestOf(bytes), outFile: written, log, target };
}

/** The manifest embedded in a built binary; E_INVALID_MODULE or E_NOT_PATCHABLE_BUILD when there is none. */
export function manifestOf(binary: Uint8Array): Manifest {
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(binary as BufferSource);
  } catch (cause) {
    throw new HotwasmError("E_INVALID_MODULE", `the base is not a WebAssembly module: ${describeError(cause)}`, { cause });
  }
  return readManifest(module);
}
