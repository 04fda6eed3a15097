// The options of a HostPool, shared by the pool and its set-up.

import type { ReadFile } from "../core/read-source.js";
import type { VerifiedPatch } from "../link/patch-signature.js";

/** Options of a HostPool. */
export interface HostPoolOptions {
  /** Number of workers (default: the machine's available parallelism). */
  workers?: number;
  /** A module each worker imports for the base's imports: its default export is an imports object or `(ctx) => imports`. */
  imports?: string | URL;
  /** Passed to the imports function as `ctx.data` (structured clone: SharedArrayBuffers stay shared). */
  importsData?: unknown;
  /** Longest wait for every worker to reach a safe point, per phase (default 10 s). */
  safepointTimeoutMs?: number;
  /** Longest time patch code may run during one load or unload step (a hook), in each worker (default 10 s);
   * a hook that runs longer is interrupted and the operation refused with E_PATCH_TIMEOUT. */
  patchTimeoutMs?: number;
  /** Longest wait for the workers to start (default 60 s). */
  startTimeoutMs?: number;
  /** How `hp_file` and a base path are read (default: the file system). */
  readFile?: ReadFile;
  /** Largest patch accepted, in bytes (default 64 MiB). */
  maxPatchBytes?: number;
  /** Checks a patch's bytes before anything else (e.g. its signature); throws to refuse. */
  verifyPatch?: (bytes: Uint8Array) => VerifiedPatch | void;
}
