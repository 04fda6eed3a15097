// The base's side of a diff: the fingerprint of the sources the base was built from. It depends
// only on the base, so it is computed once: `hotwasm build` can embed it in the base
// ("hotwasm.analysis" section), and a process keeps the ones it computed.

import { deflateSync, inflateSync } from "node:zlib";
import type { Manifest } from "../../host/model/manifest.js";
import { HotwasmError } from "../../host/errors.js";
import { readSources, SOURCES_SECTION } from "../common/embed-sources.js";
import { createHash } from "node:crypto";
import { customSectionsOf } from "../common/custom-section.js";
import { compileWithBase } from "../patch/compile-with-base.js";
import { ANALYSIS_MEMORY_BASE, ANALYSIS_TABLE_BASE, fingerprintModule, type Fingerprint, type FunctionPrint } from "./fingerprint.js";

/** Name of the custom section holding a base's analysis. */
export const ANALYSIS_SECTION = "hotwasm.analysis";
/** Format of the analysis (a newer fingerprint makes older analyses stale). */
const ANALYSIS_VERSION = 3;

const computed = new Map<string, Promise<Fingerprint>>();

/** The base's fingerprint: embedded, kept from before, or computed from its embedded sources. */
export function baseAnalysis(base: Uint8Array, manifest: Manifest, root: string, ascArgs: string[] = []): Promise<Fingerprint> {
  // Two bases can share a build id (their sources differ only in code never compiled, e.g. a
  // migration): the analysis is of the sources, so they are part of the key.
  const sources = customSectionsOf(base, SOURCES_SECTION)[0];
  const key = `${manifest.buildId}\u0000${sources ? createHash("sha256").update(sources).digest("hex") : ""}\u0000${ascArgs.join("\u0000")}`;
  let hit = computed.get(key);
  if (!hit) {
    const embedded = ascArgs.length === 0 ? readAnalysis(base) : null;
    hit = embedded ? Promise.resolve(embedded) : analyseSources(base, manifest, root, ascArgs);
    computed.set(key, hit);
    hit.catch(() => computed.delete(key));
    if (computed.size > 8) computed.delete(computed.keys().next().value!);
  }
  return hit;
}

/** Fingerprints the sources embedded in `base`, compiled as the base was. */
export async function analyseSources(base: Uint8Array, manifest: Manifest, root: string, ascArgs: string[] = []): Promise<Fingerprint> {
  const sources = readSources(base);
  if (!sources) throw new HotwasmError("E_PATCH_SOURCE", "the base build carries no sources to compare with; rebuild it with hotwasm build (sources are embedded by default)");
  return compileWithBase({
    manifest, root, files: sources, entries: manifest.entries.map((e) => `${e}.ts`), ascArgs,
    memoryBase: ANALYSIS_MEMORY_BASE, tableBase: ANALYSIS_TABLE_BASE, onCompiled: fingerprintModule,
  });
}

/** The analysis as the bytes of its custom section. */
export function encodeAnalysis(fp: Fingerprint): Uint8Array {
  const json = {
    version: ANALYSIS_VERSION,
    functions: [...fp.functions].map(([name, f]) => [name, f.code, f.shape, f.type, f.signature, f.inlined]),
    globals: [...fp.globals].map(([name, g]) => [name, g.type, g.mutable, g.init]),
    classes: fp.classes,
    declarations: [...fp.declarations],
    starts: [...fp.starts].map(([name, list]) => [name, list.map((s) => [s.code, s.sets, s.runs, s.label])]),
    migrate: fp.migrate ?? null,
  };
  return deflateSync(JSON.stringify(json));
}

/** The analysis embedded in `base`, or null (none, or of another format). */
export function readAnalysis(base: Uint8Array): Fingerprint | null {
  const sections = customSectionsOf(base, ANALYSIS_SECTION);
  if (sections.length !== 1) return null;
  try {
    const json = JSON.parse(inflateSync(sections[0]!).toString("utf8")) as EncodedAnalysis;
    if (json.version !== ANALYSIS_VERSION) return null;
    return {
      functions: new Map(json.functions.map(([name, code, shape, type, signature, inlined]) => [name, { code, shape, type, signature, inlined } satisfies FunctionPrint])),
      globals: new Map(json.globals.map(([name, type, mutable, init]) => [name, { type, mutable, init }])),
      classes: json.classes,
      declarations: new Map(json.declarations),
      starts: new Map(json.starts.map(([name, list]) => [name, list.map(([code, sets, runs, label]) => ({ code, sets, runs, label }))])),
      migrate: json.migrate,
    };
  } catch {
    return null;
  }
}

interface EncodedAnalysis {
  version: number;
  functions: [string, string, string, string, string, string[]][];
  globals: [string, string, boolean, string][];
  classes: Fingerprint["classes"];
  declarations: [string, string][];
  starts: [string, [string, string | null, string | null, string][]][];
  migrate: string | null;
}
