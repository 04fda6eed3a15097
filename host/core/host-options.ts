// What a Host is made from: the source of its base module and its options.

import type { ReadFile } from "./read-source.js";
import type { VerifiedPatch } from "../link/patch-signature.js";
import type { PatchCodeRunner } from "../lifecycle/patch-code.js";

/** Options of a Host. */
export interface HostOptions {
  /** How `hp_file` and a base path are read (default: the file system, or fetch in a browser). */
  readFile?: ReadFile;
  /** Largest patch accepted, in bytes (default 64 MiB). */
  maxPatchBytes?: number;
  /** Checks a patch's bytes before anything else reads or compiles them (signatures); throws to refuse.
   * When it returns the config the signature allows, any other config is refused (E_SIGNED_CONFIG_MISMATCH). */
  verifyPatch?: (bytes: Uint8Array) => VerifiedPatch | void;
  /** The clock of trap windows, in ms (default Date.now). */
  now?: () => number;
  /** Runs patch code during loads and unloads (hooks, a patch's initialisation). Default: directly,
   * with no bound; in Node give hotwasm/node's `createPatchWatchdog(ms)`, so that code which does
   * not return is interrupted and the operation refused with E_PATCH_TIMEOUT. */
  runPatchCode?: PatchCodeRunner;
  /** Hears of each failure attributed to a patch with a policy; the host then neither counts nor
   * rolls back on its own (a HostPool's worker: the pool decides for every worker). */
  onPatchTrap?: (hpId: string, error: unknown) => void;
}

/** A source of a module: bytes, a compiled module, or a path. */
export type ModuleSource = Uint8Array | ArrayBuffer | WebAssembly.Module | string;
