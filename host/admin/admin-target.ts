// What the admin plane (HTTP and RPC servers, debug page, audit log) needs of what it serves:
// a Host or a HostPool.

import type { Manifest } from "../model/manifest.js";
import type { PatchTarget } from "../core/patch-target.js";

/** A PatchTarget that can also describe its base and its patch stacks. */
export interface AdminTarget extends PatchTarget {
  /** The base build's manifest. */
  readonly manifest: Manifest;
  /** Which patches replace `symbol`, oldest first; the last one is in force. */
  patchStack(symbol: string): string[];
}
