// What a Host is made from: the source of its base module and its options.

import type { ReadFile } from "./read-source.js";

/** Options of a Host. */
export interface HostOptions {
  /** How `hp_file` and a base path are read (default: the file system, or fetch in a browser). */
  readFile?: ReadFile;
  /** Largest patch accepted, in bytes (default 64 MiB). */
  maxPatchBytes?: number;
  /** Checks a patch's bytes before anything else reads or compiles them (signatures); throws to refuse. */
  verifyPatch?: (bytes: Uint8Array) => void;
  /** The clock of trap windows, in ms (default Date.now). */
  now?: () => number;
  /** Hears of each failure attributed to a patch with a policy; the host then neither counts nor
   * rolls back on its own (a HostPool's worker: the pool decides for every worker). */
  onPatchTrap?: (hpId: string, error: unknown) => void;
}

/** A source of a module: bytes, a compiled module, or a path. */
export type ModuleSource = Uint8Array | ArrayBuffer | WebAssembly.Module | string;
