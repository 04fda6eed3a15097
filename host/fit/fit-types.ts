// What the checks of a patch against its base (check-patch.ts) read of the base: facts a running
// host has, and that a patch build can also know from the base's binary alone (base-facts.ts).

import type { Manifest, ManifestFunction } from "../model/manifest.js";
import type { SymbolTable } from "../model/symbols.js";

/** What a load checks a patch against. */
export interface BaseFacts {
  manifest: Manifest;
  symbols: SymbolTable;
  /**
   * Whether the base's imports provide `module.name`, and as a function or not; undefined: not at
   * all; "unknown": cannot tell (a check from the base's binary alone, for an import the base
   * does not declare: its embedder may still provide it).
   */
  baseImport(module: string, name: string): "function" | "value" | "unknown" | undefined;
  /** The patch in force whose data overlaps [start, end), if any. */
  arenaOwner(start: number, end: number): { owner: string; start: number; end: number } | undefined;
  /** Why these new classes clash with the classes of patches in force, else null. */
  classConflict(classes: { id: number; name: string }[]): string | null;
  /** Where a position-independent patch goes, else null. */
  placement: { memoryBase: number; tableBase: number } | null;
}

/** One function swap a patch asks for. */
export interface Replacement {
  exportName: string;
  target: ManifestFunction;
}

/** What an import of the patch binds to. */
export type Binding =
  | { kind: "export"; name: string }
  | { kind: "placement"; value: number }
  | { kind: "memory" }
  | { kind: "table" }
  | { kind: "base-import"; module: string; name: string };

/** The outcome of the checks: how to bind the patch, or why it does not fit. */
export interface FitPlan {
  replacements: Replacement[];
  /** One binding per import of the patch, in order (null where the import has a problem). */
  bindings: (Binding | null)[];
  refs: { name: string; symbol: string }[];
  dataRanges: { start: number; end: number }[];
}
