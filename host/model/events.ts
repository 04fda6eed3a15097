// Host events: what happened, in order, for logs, admin pages and transcript tests.

import type { ErrorCode } from "../errors.js";
import type { PatchEntry } from "./hook-names.js";

/** One event of a host; `seq` counts up from 1 per host. A "hook" event also reports the
 * initialisers of a patch's new globals (hook "hotwasm:init_globals") and its migration (hook
 * "hotwasm:migrate"), which run in that order after HPBeforeLoad. `restored` marks a patch re-applied from
 * a state directory at start-up; `trap` is a failure attributed to a patch with a policy (`count`:
 * failures in its window); `store-failed` says the state directory could not record a change;
 * `worker-replaced` says a pool stopped a worker that did not reach a safe point and started a fresh one. */
export type HostEvent = { seq: number; time: number } & (
  | { type: "load-begin"; hp_id: string }
  | { type: "hook"; hp_id: string; hook: PatchEntry; ok: boolean; detail?: string }
  | { type: "commit"; hp_id: string; targets: string[] }
  | { type: "rollback"; hp_id: string; reason: string }
  | { type: "loaded"; hp_id: string; timings?: LoadTimings; restored?: true }
  | { type: "unload-begin"; hp_id: string }
  | { type: "revert"; hp_id: string; targets: string[] }
  | { type: "unloaded"; hp_id: string; warnings: string[] }
  | { type: "retained"; hp_id: string; reason: string }
  | { type: "released"; hp_id: string }
  | { type: "refused"; action: "load" | "unload"; hp_id: string | null; code: ErrorCode; message: string; restored?: true }
  | { type: "trap"; hp_id: string; count: number; message: string }
  | { type: "store-failed"; message: string }
  | { type: "worker-replaced"; worker: number; reason: string }
);

/** Milliseconds a load spent in each phase (performance.now() differences). */
export interface LoadTimings {
  /** Reading, hashing and checking the patch against the base. */
  validate: number;
  /** WebAssembly compilation of the patch. */
  compile: number;
  /** Instantiating the patch (its imports bound to the base). */
  instantiate: number;
  /** The synchronous swap of table slots and flags. */
  commit: number;
}

type Distribute<T> = T extends unknown ? Omit<T, "seq" | "time"> : never;
/** An event before it is numbered. */
export type HostEventInput = Distribute<HostEvent>;

/** A listener; it must not throw (what it throws is dropped). */
export type HostEventListener = (event: HostEvent) => void;

/** Numbers events and hands them to listeners. */
export class EventHub {
  private seq = 0;
  private readonly listeners = new Set<HostEventListener>();

  /** Adds a listener; returns a function that removes it. */
  on(listener: HostEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Numbers `event` and delivers it to every listener. */
  emit(event: HostEventInput): void {
    // Invariant: every caller hands over a fresh object, so it is numbered in place (no copy per event).
    const full = event as HostEvent;
    full.seq = ++this.seq;
    full.time = Date.now();
    for (const listener of this.listeners) {
      try {
        listener(full);
      } catch {
        // A listener's failure must never change the outcome of a swap.
      }
    }
  }
}
