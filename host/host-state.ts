// The state a Host keeps, shared by the load and unload steps.

import type { EffectiveConfig } from "./config.js";
import type { EventHub } from "./events.js";
import type { Manifest } from "./manifest.js";
import type { SwapTable } from "./swap-table.js";
import type { SymbolTable } from "./symbols.js";

/** A patch in force. */
export interface LoadedPatch {
  id: string;
  config: EffectiveConfig;
  instance: WebAssembly.Instance;
  /** The functions it replaces: base symbol, patch export, table slot. */
  replaces: { symbol: string; export: string; slot: number }[];
  refs: { name: string; symbol: string }[];
  dataRanges: { start: number; end: number }[];
  loadedAt: Date;
  /** Position in load order, counting up from 1 per host. */
  order: number;
  sha256: string;
  size: number;
}

/** Everything the load and unload steps read and write. */
export interface HostState {
  manifest: Manifest;
  symbols: SymbolTable;
  instance: WebAssembly.Instance;
  imports: WebAssembly.Imports;
  swap: SwapTable;
  events: EventHub;
  patches: Map<string, LoadedPatch>;
  nextOrder: number;
  maxPatchBytes: number;
  verifyPatch: ((bytes: Uint8Array) => void) | undefined;
}
