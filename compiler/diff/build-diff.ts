// `hotwasm diff`: a patch from an edited source tree. Compares the edited sources with the ones
// embedded in the running base, then builds a patch of exactly the changed functions (plus the
// new functions they call). No change: no patch.

import { HotwasmError } from "../../host/errors.js";
import { compareBuilds, fingerprintSources, type DiffReport } from "./analyze-diff.js";
import { manifestOf } from "../base/build.js";
import { buildLinkedPatch, type PatchBuildResult } from "../patch/build-patch.js";
import { readSources } from "../common/embed-sources.js";
import type { Fingerprint } from "./fingerprint.js";

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
  let base = baseFingerprints.get(manifest.buildId);
  if (!base) {
    base = fingerprintSources({ manifest, entries: manifest.entries.map((e) => `${e}.ts`), cwd, files: sources, ascArgs: o.ascArgs });
    baseFingerprints.set(manifest.buildId, base);
    base.catch(() => baseFingerprints.delete(manifest.buildId));
  }
  const edited = await fingerprintSources({ manifest, entries, cwd, files: o.files, ascArgs: o.ascArgs });
  const report = compareBuilds(await base, edited, manifest, o.only ?? []);
  if (report.changed.length === 0) return { report, patch: null };
  const patch = await buildLinkedPatch({ base: o.base, cwd, files: o.files, targets: report.changed, outFile: o.outFile, ascArgs: o.ascArgs });
  return { report, patch };
}
