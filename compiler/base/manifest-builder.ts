// Builds the manifest of a patchable build: the rewrite's outcome, the program's entries and
// compiler flags, and a build id (hash of the rewritten, unoptimised module and the flags).

import type { Program } from "assemblyscript";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { emitStableBinary, type Binaryen, type BinaryenModule } from "../common/binaryen-util.js";
import { VISIT_GLOBALS_BASE, type RewriteOutcome } from "./make-patchable.js";
import { describeClasses } from "../common/class-layout.js";
import { SUPPORT_PREFIX } from "../common/finalize-hook.js";
import { encodeManifest, MANIFEST_SECTION, MANIFEST_VERSION, type Manifest } from "../../host/model/manifest.js";

const RUNTIME_NAMES = ["stub", "minimal", "incremental"];
const USER_ENTRY = 1; // SourceKind.UserEntry

/** The manifest custom section for a rewritten module; `project` is the root its paths are relative to. */
export function buildManifestSection(b: Binaryen, module: BinaryenModule, program: Program, outcome: RewriteOutcome, compilerVersion: string, project?: Manifest["project"]) {
  const flags = compilerFlags(program);
  const hash = sha256.create();
  hash.update(emitStableBinary(b, module));
  hash.update(new TextEncoder().encode(JSON.stringify(flags)));
  const manifest: Manifest = {
    hotwasm: MANIFEST_VERSION,
    buildId: bytesToHex(hash.digest()).slice(0, 32),
    compiler: { name: "assemblyscript", version: compilerVersion, flags },
    entries: entryPaths(program),
    table: outcome.table,
    memory: outcome.memory,
    arena: outcome.arena,
    functions: outcome.functions,
    globals: outcome.globals,
    runtime: runtimeExports(outcome),
    classes: describeClasses(program),
    features: module.getFeatures(),
    ...(outcome.safepoints ? { safepoints: outcome.safepoints } : {}),
    ...(project ? { project } : {}),
  };
  return { name: MANIFEST_SECTION, bytes: encodeManifest(manifest), manifest };
}

/** The options that decide whether a patch compiled later fits this build. */
export function compilerFlags(program: Program): Record<string, string | number | boolean> {
  const o = program.options;
  return {
    runtime: RUNTIME_NAMES[o.runtime] ?? String(o.runtime),
    noAssert: o.noAssert,
    memoryBase: o.memoryBase,
    tableBase: o.tableBase,
    stackSize: o.stackSize,
    features: o.features,
    importMemory: o.importMemory,
    sharedMemory: o.sharedMemory,
    lowMemoryLimit: o.lowMemoryLimit,
    uncheckedBehavior: o.uncheckedBehavior,
    optimizeLevel: o.optimizeLevelHint,
    shrinkLevel: o.shrinkLevelHint,
  };
}

function entryPaths(program: Program): string[] {
  const sources = program.sources as unknown as { sourceKind: number; internalPath: string }[];
  return sources
    .filter((s) => s.sourceKind === USER_ENTRY && !s.internalPath.startsWith("~lib/") && !s.internalPath.startsWith(SUPPORT_PREFIX))
    .map((s) => s.internalPath);
}

function runtimeExports(outcome: RewriteOutcome): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ["__new", "__pin", "__unpin", "__collect", "__rtti_base"]) out[name] = name;
  if (outcome.functions.some((f) => f.name === "~lib/rt/__visit_globals" && f.slot !== null)) out.visit_globals_base = VISIT_GLOBALS_BASE;
  for (const g of outcome.globals) {
    if (g.name.startsWith("~lib/memory/__") || g.name === "~lib/rt/__rtti_base") out[g.name.slice(g.name.lastIndexOf("/") + 1)] = g.export;
  }
  return out;
}
