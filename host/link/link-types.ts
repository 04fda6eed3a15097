// What the linker reads of the running base and what it returns: shared by link-patch.ts, which
// checks a patch, and bind-import.ts, which binds its imports one by one.

import type { Manifest } from "../model/manifest.js";
import type { Replacement } from "../fit/fit-types.js";
import type { SymbolTable } from "../model/symbols.js";
import type { ArenaAllocator } from "./placement.js";

/** What the linker needs to know of the running base. */
export interface BaseView {
  manifest: Manifest;
  symbols: SymbolTable;
  exports: WebAssembly.Exports;
  imports: WebAssembly.Imports;
  /** The patch arena with the ranges of patches in force or retained. */
  arena: ArenaAllocator;
  hooks: HookCheck;
  /** Where a position-independent patch goes (chosen by the host), else null. */
  placement: { memoryBase: number; tableBase: number } | null;
}

export type { Replacement } from "../fit/fit-types.js";

/** How to instantiate and commit a patch that passed every check. */
export interface LinkPlan {
  importObject: WebAssembly.Imports;
  replacements: Replacement[];
  refs: { name: string; symbol: string }[];
  dataRanges: { start: number; end: number }[];
}

/** What a member patch brings. */
export interface HookMember {
  id: string;
  classes: { id: number; name: string }[];
  /** Address of the patch's RTTI table (covers the base's classes and its own). */
  rttiAddress: number | null;
  visitMembers: Function | null;
  visitGlobals: { fn: Function; next: WebAssembly.Global } | null;
  /** Its free-object hook (it drops the shadow entries of a freed object), chained like visitGlobals. */
  finalize?: { fn: Function; next: WebAssembly.Global } | null;
}

/** What the linker asks of the base's runtime hooks (lifecycle/runtime-hooks.ts) before a load. */
export interface HookCheck {
  /** Why a patch's new classes clash with a member's (same id, other class), else null. */
  conflict(classes: { id: number; name: string }[]): string | null;
  /** Why the base cannot take such a member, else null. */
  unsupported(member: Omit<HookMember, "id">): string | null;
}
