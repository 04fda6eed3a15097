// The state a Host keeps, shared by the load, unload and release steps.

import type { EffectiveConfig, TrapPolicy } from "../model/config.js";
import type { PatchStore } from "../model/stored-patch.js";
import type { InstanceReuse } from "./instance-reuse.js";
import type { TrapGuard } from "../traps/trap-guard.js";
import type { EventHub } from "../model/events.js";
import type { Manifest } from "../model/manifest.js";
import type { ArenaAllocator, TableAllocator } from "../link/placement.js";
import type { RuntimeHooks } from "./runtime-hooks.js";
import type { SwapTable } from "./swap-table.js";
import type { SymbolTable } from "../model/symbols.js";
import type { VerifiedPatch } from "../link/patch-signature.js";
import type { PatchCodeRunner } from "./patch-code.js";

/** A patch in force, or unloaded but retained because the program may still use its data. */
export interface LoadedPatch {
  id: string;
  config: EffectiveConfig;
  instance: WebAssembly.Instance;
  /** The functions it replaces: base symbol, patch export, table slot. */
  replaces: { symbol: string; export: string; slot: number }[];
  refs: { name: string; symbol: string }[];
  /** Its static data in the patch arena. */
  dataRanges: { start: number; end: number }[];
  /** Its own table slots (function references), if any. */
  tableRange: { start: number; count: number } | null;
  /** Classes it adds to the base's. */
  classes: { id: number; name: string }[];
  /** Its shadow fields ("file/Class.field") and its export counting their entries. */
  shadow?: { fields: string[]; entries: (() => number) | null };
  loadedAt: Date;
  /** Position in load order, counting up from 1 per host. */
  order: number;
  sha256: string;
  size: number;
  /** Set once unloaded while the program may still use its data or classes. */
  retained?: { since: Date; reason: string };
  /** Its trap containment policy, if it was loaded with one. */
  policy?: TrapPolicy;
  /** Times (ms) of its attributed failures within the policy's window, and how many in all. */
  traps: { times: number[]; total: number };
  /** Its import values, when its instance may be reused after release (instance-reuse.ts). */
  reusable?: WebAssembly.ImportValue[];
  /** Set when the host took it out of force on its own (trap limit, state not recorded). */
  rolledBack?: { reason: string; at: Date };
}

/** Everything the load, unload and release steps read and write. */
export interface HostState {
  manifest: Manifest;
  symbols: SymbolTable;
  instance: WebAssembly.Instance;
  imports: WebAssembly.Imports;
  swap: SwapTable;
  events: EventHub;
  patches: Map<string, LoadedPatch>;
  retained: Map<string, LoadedPatch>;
  arena: ArenaAllocator;
  tables: TableAllocator;
  hooks: RuntimeHooks;
  nextOrder: number;
  maxPatchBytes: number;
  verifyPatch: ((bytes: Uint8Array) => VerifiedPatch | void) | undefined;
  /** Attributes failures to patches; wraps every replacement. */
  guard: TrapGuard;
  /** Patches the host rolled back on its own, newest last (bounded). */
  history: Map<string, LoadedPatch>;
  /** Instances of released patches that may be reused by a load of the same bytes. */
  reuse: InstanceReuse;
  /** Where loaded patches are recorded to survive a restart, if anywhere. */
  store: PatchStore | null;
  /** The clock of trap windows (ms). */
  now: () => number;
  /** Runs patch code during loads and unloads (hooks, initialisation): directly, or under a watchdog. */
  runPatchCode: PatchCodeRunner;
}
