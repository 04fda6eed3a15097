// Placing a position-independent patch (built by `hotwasm patch`): choosing its arena range and
// table slots before instantiation, then fixing the address words of its data and running its
// init, before any of its code can be called.

import { HotwasmError, describeError, isHotwasmError } from "../errors.js";
import type { HostState } from "./host-state.js";
import type { PatchMeta } from "../model/patch-meta.js";
import { arenaFull } from "../fit/check-patch.js";
import { stackPointerOf } from "./hooks.js";

/** Where a patch goes. */
export interface Placement {
  memoryBase: number;
  tableBase: number;
  dataSize: number;
  tableCount: number;
}

/** Chooses the patch's arena range and table slots; the slots are taken once the checks passed. */
export function choosePlacement(state: HostState, meta: PatchMeta | null): Placement | null {
  const link = meta?.link;
  if (!link) return null;
  const memoryBase = link.data_size === 0 ? state.manifest.arena.start : state.arena.find(link.data_size);
  if (memoryBase === null) throw arenaFull(state.manifest, link.data_size, state.arena.ranges().reduce((n, r) => n + (r.end - r.start), 0));
  return { memoryBase, tableBase: state.tables.peek(link.table_size), dataSize: link.data_size, tableCount: link.table_size };
}

/** Fixes the data's address and table-index words, then runs `hotwasm:init`. */
export function finishPlacement(state: HostState, instance: WebAssembly.Instance, meta: PatchMeta, placement: Placement): void {
  const link = meta.link!;
  const memory = state.instance.exports[state.manifest.memory.export] as WebAssembly.Memory;
  const view = new DataView(memory.buffer);
  // Invariant: no code of the patch has run yet, so nothing has read the unrelocated words.
  for (const off of link.memory_relocs) add(view, placement.memoryBase + off, placement.memoryBase, placement.dataSize, off);
  for (const off of link.table_relocs) add(view, placement.memoryBase + off, placement.tableBase, placement.dataSize, off);
  const init = instance.exports["hotwasm:init"];
  if (typeof init === "function") {
    const sp = stackPointerOf(state);
    const saved = sp?.value as number | undefined;
    try {
      state.runPatchCode("the patch's initialisation (hotwasm:init)", init as () => void);
    } catch (err) {
      // A trap leaves the initialisation's shadow-stack frame allocated.
      if (sp && saved !== undefined) sp.value = saved;
      if (isHotwasmError(err) && err.code === "E_PATCH_TIMEOUT") throw err;
      throw new HotwasmError("E_INSTANTIATE_FAILED", `the patch's initialisation trapped: ${describeError(err)}`, { cause: err });
    }
  }
}

function add(view: DataView, at: number, delta: number, size: number, off: number): void {
  if (off + 4 > size || at + 4 > view.byteLength) throw new HotwasmError("E_INVALID_MODULE", `a relocation at ${off} lies outside the patch's data`);
  view.setUint32(at, (view.getUint32(at, true) + delta) >>> 0, true);
}
