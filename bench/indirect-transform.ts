// Bench-only asc transform for the reference build "one indirect call per call": every call of one
// function goes through `call_indirect` on an exported table, which Binaryen cannot turn back into
// a direct call. Patched call overhead is judged against this build.

import { Transform } from "assemblyscript/transform";
import type binaryenNs from "binaryen";
import type { Binaryen } from "../compiler/common/binaryen-util.js";

/** A transform class routing every call of the function named `suffix` (e.g. "fib", "Vec#dot") through the table. */
export function makeIndirectTransform(suffix: string): typeof Transform {
  return class IndirectCalls extends Transform {
    declare readonly binaryen: unknown;
    afterCompile(module: binaryenNs.Module): void {
      routeThroughTable(this.binaryen as Binaryen, module, suffix);
    }
  };
}

function routeThroughTable(b: Binaryen, module: binaryenNs.Module, suffix: string): void {
  const name = findFunction(b, module, suffix);
  const ref = module.getFunction(name);
  const info = b.getFunctionInfo(ref);
  const target = `${name}$indirect`;
  module.addFunction(target, info.params, info.results, info.vars, b.Function.getBody(ref));
  if (module.getNumTables() === 0) module.addTable("0", 1, 1);
  const table = b.getTableInfo(module.getTableByIndex(0)).name;
  const tableRef = module.getTable(table);
  const slot = Math.max(1, b.Table.getInitial(tableRef));
  b.Table.setInitial(tableRef, slot + 1);
  b.Table.setMax(tableRef, slot + 1);
  module.addActiveElementSegment(table, "bench:indirect", [target], module.i32.const(slot));
  module.addTableExport(table, "bench:table"); // an exported table keeps the call indirect
  const args = b.expandType(info.params).map((t, i) => module.local.get(i, t));
  b.Function.setBody(ref, module.call_indirect(table, module.i32.const(slot), args, info.params, info.results));
}

function findFunction(b: Binaryen, module: binaryenNs.Module, suffix: string): string {
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const { name, module: imported } = b.getFunctionInfo(module.getFunctionByIndex(i));
    if (!imported && name.endsWith(`/${suffix}`)) return name;
  }
  throw new Error(`no function named ${suffix}`);
}
