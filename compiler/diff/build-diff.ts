// `hotwasm diff`: a patch from an edited source tree. Compares the edited sources with the ones
// embedded in the running base, then builds a patch of exactly the changed functions (plus the
// new functions they call). No change: no patch.

import { HotwasmError } from "../../host/errors.js";
import { compareBuilds, fingerprintSources, type DiffReport } from "./analyze-diff.js";
import { manifestOf } from "../base/build.js";
import { buildLinkedPatch, type PatchBuildResult } from "../patch/build-patch.js";
import { readSources } from "../common/embed-sources.js";
import type { Fingerprint } from "./fingerprint.js";
import { planShadowFields } from "./new-fields.js";
import { SUPPORT_PREFIX } from "../common/finalize-hook.js";
import { readFile } from "node:fs/promises";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { resolve } from "node:path";

/** What to diff. */
export interface DiffOptions {
  /** The running base build. */
  base: Uint8Array;
  /** Entry files (default: the base's). */
  entries?: string[];
  /** Patch only changed functions matching one of these globs. */
  only?: string[];
  /** Where to write the patch (nothing is written when nothing changed). */
  outFile?: string;
  cwd?: string;
  /** Edited sources held in memory; they shadow the disk. */
  files?: Record<string, string>;
  ascArgs?: string[];
}

/** The comparison and, if anything is to be patched, the patch. */
export interface DiffResult {
  report: DiffReport;
  patch: PatchBuildResult | null;
}

const baseFingerprints = new Map<string, Promise<Fingerprint>>();

/** Compares and builds; throws one HotwasmError listing every edit that cannot be patched. */
export async function buildDiff(o: DiffOptions): Promise<DiffResult> {
  const cwd = o.cwd ?? process.cwd();
  const manifest = manifestOf(o.base);
  const sources = readSources(o.base);
  if (!sources) throw new HotwasmError("E_PATCH_SOURCE", "the base build carries no sources to compare with; rebuild it with hotwasm build (sources are embedded by default)");
  const entries = o.entries ?? manifest.entries.map((e) => `${e}.ts`);
  // Two bases can share a build id (their sources differ only in code never compiled, e.g. a
  // migration): the fingerprint is of the sources, so they are part of the key.
  const key = `${manifest.buildId}:${bytesToHex(sha256(new TextEncoder().encode(JSON.stringify(sources))))}`;
  let base = baseFingerprints.get(key);
  if (!base) {
    base = fingerprintSources({ manifest, entries: manifest.entries.map((e) => `${e}.ts`), cwd, files: sources, ascArgs: o.ascArgs });
    baseFingerprints.set(key, base);
    base.catch(() => baseFingerprints.delete(key));
  }
  // Fields added to the base's classes become shadow fields: the edited files are rewritten first.
  const shadow = await planShadowFields(sources, (path) => editedText(path, cwd, o.files));
  const files = { ...o.files, ...shadow.files };
  const { shadowFiles } = shadow;
  const edited = await fingerprintSources({ manifest, entries, cwd, files, ascArgs: o.ascArgs, shadowFiles });
  const report = compareBuilds(await base, edited, manifest, o.only ?? [], shadow.problems);
  report.fields = shadow.fields;
  // A migration the base's sources already had (unchanged) belongs to an earlier patch: it does not run again.
  const baseline = await base;
  const m = report.migrate;
  if (m && baseline.migrate === m && baseline.functions.get(m)?.code === edited.functions.get(m)?.code) report.migrate = null;
  report.added = report.added.filter((name) => !isSupportCode(name));
  if (report.changed.length === 0 && !report.migrate) return { report, patch: null };
  const patch = await buildLinkedPatch({
    base: o.base, cwd, files, targets: report.changed, outFile: o.outFile, ascArgs: o.ascArgs, shadowFiles, shadowFields: shadow.fields, migration: report.migrate !== null,
  });
  return { report, patch };
}

/** An edited file's text: held in memory, else on disk; null when it is gone. */
async function editedText(path: string, cwd: string, files?: Record<string, string>): Promise<string | null> {
  if (files && Object.hasOwn(files, path)) return files[path]!;
  try {
    return await readFile(resolve(cwd, path), "utf8");
  } catch {
    return null;
  }
}

/** Code hotwasm adds to a patch (shadow tables, support file), not the user's. */
function isSupportCode(name: string): boolean {
  return name.startsWith(SUPPORT_PREFIX) || name.includes("__hotwasm$") || name.includes("HotwasmShadow<");
}
