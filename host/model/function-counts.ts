// The one count of a base's functions that `hotwasm inspect`, `hotwasm build`, `hotwasm dev` and
// the /hpdebug page all show: the program's own functions, and how many of them are patchable.
// Library code (~lib/...) and compiler-made functions (names starting with ~) are not counted,
// nor the runtime hooks patches may replace.

import type { Manifest } from "./manifest.js";

/** True for a function of the program's own sources (not ~lib/ code, not compiler-made). */
export function isOwnFunction(name: string): boolean {
  return !name.startsWith("~");
}

/** The program's own functions, and how many of them are patchable. */
export function countFunctions(manifest: Pick<Manifest, "functions">): { patchable: number; own: number } {
  let patchable = 0;
  let own = 0;
  for (const f of manifest.functions) {
    if (!isOwnFunction(f.name)) continue;
    own++;
    if (f.slot !== null) patchable++;
  }
  return { patchable, own };
}
