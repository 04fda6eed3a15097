// The free-object hook of a base build: AssemblyScript's incremental and minimal collectors call
// a global `__finalize(ptr)` for every object they free when the program defines one. The base
// defines an empty one in a file of its own, made patchable like any function (one flag test per
// freed object while unpatched); a patch with shadow fields puts its clean-up there, so a shadow
// entry dies with its object. Patch and analysis builds compile the same file, so their private
// copies of the collector call the base's hook too.

import type { Parser, Program } from "assemblyscript";
import { FINALIZE_FUNCTION } from "../../host/model/hook-names.js";

/** Path of the hook's file (relative to the project); its functions are named `~hotwasm/finalize/...`. */
export const FINALIZE_FILE = "~hotwasm/finalize.ts";
/** Files hotwasm adds to a program live under this path; they are neither sources nor entries of the app. */
export const SUPPORT_PREFIX = "~hotwasm/";

const SOURCE = "// hotwasm: the collector calls this for every object it frees (patched by shadow fields).\n@global function __finalize(ptr: usize): void {}\n";

/** Adds the hook's file to a program being parsed, unless the program defines `__finalize` itself. */
export function addFinalizeHook(parser: Parser, program: Program): boolean {
  if (definesFinalize(program)) return false;
  parser.parseFile(SOURCE, FINALIZE_FILE, true);
  return true;
}

/** True when the program's own sources declare a `__finalize`. */
export function definesFinalize(program: Program): boolean {
  const sources = program.sources as unknown as { internalPath: string; text: string }[];
  return sources.some((s) => !s.internalPath.startsWith("~lib/") && !s.internalPath.startsWith(SUPPORT_PREFIX) && /\bfunction\s+__finalize\b/.test(s.text));
}

/** True when a base's functions (as its manifest lists them) include the hook. */
export function hasFinalizeHook(functions: readonly { name: string }[]): boolean {
  return functions.some((f) => f.name === FINALIZE_FUNCTION);
}
