// `hotwasm build` keeps the base's analysis in the base ("hotwasm.analysis" section): the first
// `hotwasm diff` of that base then compiles only the edited sources (base-analysis.ts).

import { manifestOf } from "../base/build.js";
import { appendCustomSection } from "../common/custom-section.js";
import type { ProjectRoot } from "../common/project-root.js";
import { analyseSources, ANALYSIS_SECTION, encodeAnalysis } from "./base-analysis.js";

/** `binary` with its analysis appended (unchanged when it carries no sources). */
export async function withAnalysis(binary: Uint8Array, root: ProjectRoot): Promise<Uint8Array> {
  const manifest = manifestOf(binary);
  const fingerprint = await analyseSources(binary, manifest, root.dir).catch(() => null);
  return fingerprint ? appendCustomSection(binary, ANALYSIS_SECTION, encodeAnalysis(fingerprint)) : binary;
}
