// What a patch store is (the state directory of `hotwasm serve` implements it): the record of a
// loaded patch and the two writes a store must make durable. The functions over it are in
// lifecycle/patch-store.ts.

import type { EffectiveConfig, TrapPolicy } from "./config.js";

/** One loaded patch as recorded: enough to load it again from its stored bytes. */
export interface StoredPatch {
  hp_id: string;
  sha256: string;
  config: EffectiveConfig;
  policy?: TrapPolicy;
}

/** A durable record of the loaded patches. Each method resolves once the change is durable. */
export interface PatchStore {
  /** Keeps a patch's bytes under their SHA-256 (before the patch is applied). */
  saveBytes(sha256: string, bytes: Uint8Array): Promise<void>;
  /** Replaces the recorded list with `patches`, in load order, all at once. */
  saveList(patches: StoredPatch[]): Promise<void>;
}
