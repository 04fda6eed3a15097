// Two-phase operations (HostPool's stop-the-world swaps): phase 1 stages a load or unload in a
// Host without switching anything; phase 2 commits it at a safe point, or it is discarded.

import type { SymbolMap, TrapPolicy } from "./config.js";

/** What `Host.stageLoad` takes: the bytes, the config (hp_file only labels it), the compiled module. */
export interface StageRequest {
  bytes: Uint8Array | ArrayBuffer;
  config?: { hp_file?: string; replace_config?: SymbolMap; ref_config?: SymbolMap };
  /** Trap containment: the patch's failures are attributed to it (a pool decides on rollbacks). */
  policy?: TrapPolicy;
  /** The patch compiled once elsewhere (a pool compiles it once for all workers). */
  module?: WebAssembly.Module;
}

/** A staged operation: phase 1 done, nothing switched; exactly one of commit or discard follows. */
export interface Staged<T> {
  readonly hp_id: string;
  /** Phase 2: switches, synchronously. */
  commit(): T;
  /** Drops it without switching anything. */
  discard(): void;
}

/** A staged load; after its commit, `rollback` takes it out again without unload hooks. */
export interface StagedLoad extends Staged<string> {
  rollback(reason: string): void;
}
