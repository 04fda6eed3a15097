// The addresses and table indices in a relocated patch's code: `memory_base + k` and
// `table_base + k` (relocate-patch.ts writes them so), found and rewritten once the data is
// packed (an address of data the base holds becomes that constant address).

import { findExpressions } from "../common/expression-children.js";
import type { Binaryen, BinaryenModule } from "../common/binaryen-util.js";
import type { PackedData } from "./pack-data.js";

/** The globals the host sets to where it placed the patch. */
export const MB = "hotwasm:memory_base";
export const TB = "hotwasm:table_base";

/** Each `base + k` of the code: the add expression, and k. */
export interface PatchRefs {
  memory: Map<number, number>;
  table: Map<number, number>;
}

interface Api {
  Binary: { getOp(e: number): number; getLeft(e: number): number; getRight(e: number): number; setLeft(e: number, v: number): void };
  GlobalGet: { getName(e: number): string };
  Const: { getValueI32(e: number): number; setValueI32(e: number, v: number): void };
}

/** Finds every `memory_base + k` and `table_base + k` in the module's functions. */
export function findRefs(b: Binaryen, module: BinaryenModule): PatchRefs {
  const x = b as unknown as Api;
  const refs: PatchRefs = { memory: new Map(), table: new Map() };
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const f = b.getFunctionInfo(module.getFunctionByIndex(i));
    if (f.module || !f.body) continue;
    for (const add of findExpressions(b, f.body, b.BinaryId, f.name)) {
      if (x.Binary.getOp(add) !== b.AddInt32) continue;
      const left = x.Binary.getLeft(add);
      const right = x.Binary.getRight(add);
      if (b.getExpressionId(left) !== b.GlobalGetId || b.getExpressionId(right) !== b.ConstId) continue;
      const name = x.GlobalGet.getName(left);
      if (name === MB) refs.memory.set(add, x.Const.getValueI32(right) >>> 0);
      else if (name === TB) refs.table.set(add, x.Const.getValueI32(right));
    }
  }
  return refs;
}

/** Points every reference at where the data and table entries went. */
export function rewriteRefs(b: Binaryen, module: BinaryenModule, refs: PatchRefs, packed: PackedData, tableIndex: Map<number, number>): void {
  const x = b as unknown as Api;
  for (const [add, k] of refs.memory) {
    const placed = packed.place(k);
    if (placed.base) {
      // Data the base holds: a constant address (0 + address, folded by the optimiser).
      x.Binary.setLeft(add, module.i32.const(0));
      x.Const.setValueI32(x.Binary.getRight(add), placed.address);
    } else x.Const.setValueI32(x.Binary.getRight(add), placed.offset);
  }
  for (const [add, k] of refs.table) x.Const.setValueI32(x.Binary.getRight(add), tableIndex.get(k)!);
}
