// What `cutPatch` (patch-transform.ts) is asked to cut out of a program compiled with the app:
// shared with patch-replacements.ts, which works out the replacements from it.

import type { Manifest } from "../../host/model/manifest.js";

/** What to cut out of the combined program. */
export interface PatchCut {
  manifest: Manifest;
  /** Internal path of the patch file, e.g. "patches/fix"; null when the patch is an edited app (diff). */
  patchPath: string | null;
  /** Replace exactly these base functions with their new versions (diff); else the patch file's exports. */
  targets?: string[];
  /** Explicit targets: patch export name -> base symbol. */
  replace: Record<string, string>;
  compilerVersion: string;
  /** The migration function's internal name; default: the program's (`// @hotwasm-migrate`); null: none. */
  migrate?: string | null;
  /** Globals new in an edited app (diff) whose initialisers in its top-level code run once at load (`hotwasm:init_globals`). */
  initialise?: string[];
}
