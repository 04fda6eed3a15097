// The base build carries its program's own sources ("hotwasm.sources" custom section), so that
// `hotwasm diff` can compare an edited source tree with exactly what is running.

import type { Program } from "assemblyscript";
import { SUPPORT_PREFIX } from "./finalize-hook.js";
import { customSectionsOf } from "./custom-section.js";

/** Name of the custom section with the sources. */
export const SOURCES_SECTION = "hotwasm.sources";

const LIBRARY = 2; // SourceKind.Library and LibraryEntry are 2 and 3

/** The program's own source files (not the standard library), by path. */
export function collectSources(program: Program): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of program.sources as unknown as { sourceKind: number; normalizedPath: string; internalPath: string; text: string }[]) {
    if (s.sourceKind >= LIBRARY || s.internalPath.startsWith("~lib/") || s.internalPath.startsWith(SUPPORT_PREFIX)) continue;
    out[s.normalizedPath] = s.text;
  }
  return out;
}

/** Encodes sources for the custom section. */
export function encodeSources(sources: Record<string, string>): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(sources));
}

/** The sources embedded in a base build, or null when it has none. */
export function readSources(binary: Uint8Array): Record<string, string> | null {
  const sections = customSectionsOf(binary, SOURCES_SECTION);
  if (sections.length !== 1) return null;
  return JSON.parse(new TextDecoder().decode(sections[0]!)) as Record<string, string>;
}
