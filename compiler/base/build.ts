// Builds a patchable base: runs asc with the hotwasm transform and returns the binary and its
// manifest. Entries and options come from the arguments, else from asconfig.json as asc reads it
// (its "release" target unless another is named). Sources are named relative to the project root
// (common/project-root.ts), so the same sources give the same names from any folder.

import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { runAsc } from "../common/run-asc.js";
import { customSectionsOf } from "../common/custom-section.js";
import { withParseCache } from "../common/parse-cache.js";
import { filesInRoot, findProjectRoot, pathInRoot, type ProjectRoot } from "../common/project-root.js";
import HotwasmTransform from "./patchable-transform.js";
import { DEFAULT_POLL_INTERVAL, type SafepointMode } from "./insert-safepoints.js";
export { BuildError } from "../common/run-asc.js";
import { decodeManifest, LIBRARY_SECTION, MANIFEST_SECTION, withLibrary, type Manifest } from "../../host/model/manifest.js";
import { HotwasmError, describeError } from "../../host/errors.js";
import { DEFAULT_TARGET, readAsconfig } from "./asconfig.js";

/** What to build. */
export interface BuildOptions {
  /** Entry files; none: the entries of asconfig.json. */
  entries?: string[];
  /** Where to write the binary (relative to cwd); none: the asconfig target's outFile (relative to the root), else build/app.wasm; false: write nothing. */
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
  /** The directory paths are relative to (default: the process's). */
  cwd?: string;
  /** The project root (default: found from the entries or cwd; common/project-root.ts). */
  root?: string;
  /** Sources held in memory, by path relative to cwd; they shadow the disk. */
  files?: Record<string, string>;
  /** Build without the transform (a plain build, for comparisons). */
  plain?: boolean;
  /** Version loops that call inlined patchable functions (default true; version-loops.ts). */
  versionLoops?: boolean;
  /** Embed the program's own sources, for `hotwasm diff` (default true). */
  sources?: boolean;
  /** Define the free-object hook that shadow fields need (default true; common/finalize-hook.ts). */
  finalizeHook?: boolean;
  /** The asconfig file asc reads (default asconfig.json in the root); false reads none. */
  config?: string | false;
  /** The asconfig target (default "release", as asc picks it). */
  target?: string;
  /** A last step on the built binary before it is written (e.g. diff/embed-analysis.ts). */
  finish?: (binary: Uint8Array, root: ProjectRoot) => Promise<Uint8Array>;
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
  /** The project root the sources are named relative to. */
  root: ProjectRoot;
}

/** A config path that never exists: asc then reads no asconfig.json. */
export const NO_CONFIG = "__hotwasm_no_asconfig__.json";

/** Runs asc with the hotwasm transform. */
export async function buildPatchable(options: BuildOptions = {}): Promise<BuildResult> {
  const cwd = options.cwd ?? process.cwd();
  const root = findProjectRoot(cwd, options.entries ?? [], options.root);
  const configFile = options.config === false ? false : options.config === undefined ? resolve(root.dir, "asconfig.json") : resolve(cwd, options.config);
  const asconfig = configFile === false ? null : await readAsconfig(root.dir, configFile);
  const targetName = options.target ?? DEFAULT_TARGET;
  if (options.target !== undefined && !asconfig?.targets.includes(options.target)) {
    throw new HotwasmError("E_INVALID_OPTION", `asconfig.json has no target "${options.target}" (it has ${asconfig?.targets.join(", ") || "none"})`);
  }
  const target = asconfig?.targets.includes(targetName) ? targetName : null;
  // An -o is relative to cwd, asconfig's outFile to the root (where asconfig.json is).
  const configured = asconfig?.optionsOf(targetName).outFile;
  const outFile = options.outFile === false ? false : options.outFile !== undefined ? resolve(cwd, options.outFile) : resolve(root.dir, configured ?? "build/app.wasm");
  const safepoints = { mode: options.safepoints ?? "off", interval: options.pollInterval ?? DEFAULT_POLL_INTERVAL };
  const transforms = options.plain ? [] : [HotwasmTransform.withOptions({ patchable: options.patchable ?? [], arenaSize: options.arenaSize, safepoints, sources: options.sources, versionLoops: options.versionLoops, finalizeHook: options.finalizeHook })];
  const config = configFile === false ? ["--config", NO_CONFIG] : options.config ? ["--config", configFile] : [];
  // A plain build exports the runtime too, so it differs from a patchable one only by the transform.
  const runtime = options.plain ? ["--exportRuntime"] : [];
  const entries = (options.entries ?? []).map((e) => pathInRoot(root, cwd, e));
  const argv = [...entries, ...config, ...(options.target ? ["--target", options.target] : []), ...runtime, ...(options.ascArgs ?? [])];
  // Parsed once: a diff against this base then parses only the files edited since (parse-cache.ts).
  const built = await withParseCache(() => runAsc({ argv, cwd: root.dir, files: filesInRoot(root, cwd, options.files), transforms }));
  const { log } = built;
  const bytes = options.finish && !options.plain ? await options.finish(built.binary, root) : built.binary;
  let written: string | null = null;
  if (outFile !== false) {
    written = outFile;
    await mkdir(dirname(written), { recursive: true });
    await writeFile(written, bytes);
  }
  return { binary: bytes, manifest: options.plain ? null : manifestOf(bytes), outFile: written, log, target, root };
}

/** The manifest embedded in a built binary, with its library exports; E_INVALID_MODULE or E_NOT_PATCHABLE_BUILD when there is none. */
export function manifestOf(binary: Uint8Array): Manifest {
  let manifest = manifests.get(binary);
  if (!manifest) {
    let sections: Uint8Array[];
    try {
      sections = customSectionsOf(binary, MANIFEST_SECTION);
    } catch (cause) {
      throw new HotwasmError("E_INVALID_MODULE", `the base is not a WebAssembly module: ${describeError(cause)}`, { cause });
    }
    if (sections.length === 0) throw new HotwasmError("E_NOT_PATCHABLE_BUILD", `the module has no "${MANIFEST_SECTION}" section; build it with \`hotwasm build\` or asc --transform hotwasm/transform`);
    if (sections.length > 1) throw new HotwasmError("E_NOT_PATCHABLE_BUILD", "the module has more than one hotwasm manifest");
    const library = customSectionsOf(binary, LIBRARY_SECTION);
    manifest = withLibrary(decodeManifest(sections[0]!), library.length === 1 ? library[0]! : null);
    manifests.set(binary, manifest);
  }
  return manifest;
}

const manifests = new WeakMap<Uint8Array, Manifest>();
