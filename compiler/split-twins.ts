// Keeps patchable code as fast as plain code. Binaryen inlines a function into its only caller
// and drops it, but not a function that is also exported or in a table, and every patchable
// function is both. So each patchable function f gets a twin, f$entry: the same guarded body,
// calling twins. hotwasm's exports, the table and function references use the twins; the
// program's own calls and exports use f, which Binaryen may now inline like any private function. The twin reads a flag of
// its own (else Binaryen would merge the identical copies back); the host sets both flags, and
// both copies dispatch through the same slot, so a patch takes effect in both at once.

import { findExpressions } from "./expression-children.js";
import type { Binaryen, BinaryenModule } from "./binaryen-util.js";
import type { ManifestFunction } from "../host/manifest.js";

/** The twin of a patchable function. */
export function twinOf(name: string): string {
  return `${name}$entry`;
}

/** Adds twins with their flags (recorded as `twin_flag`) and points exports and table entries at them. Call after every rewrite of f. */
export function splitTwins(b: Binaryen, module: BinaryenModule, functions: ManifestFunction[]): void {
  const patchable = new Set(functions.filter((f) => f.slot !== null).map((f) => f.name));
  if (patchable.size === 0) return;
  const api = b as unknown as {
    Call: { getTarget(e: number): string; setTarget(e: number, name: string): void };
    GlobalGet: { getName(e: number): string; setName(e: number, name: string): void };
  };
  for (const fn of functions) {
    if (fn.slot === null) continue;
    const f = b.getFunctionInfo(module.getFunction(fn.name));
    const twin = twinOf(fn.name);
    module.addFunction(twin, f.params, f.results, f.vars, module.copyExpression(f.body));
    const flag = `hotwasm$flag$${fn.slot}`;
    const twinFlag = `hotwasm$twinflag$${fn.slot}`;
    module.addGlobal(twinFlag, b.i32, true, module.i32.const(0));
    module.addGlobalExport(twinFlag, `hotwasm:twinflag:${fn.slot}`);
    fn.twin_flag = `hotwasm:twinflag:${fn.slot}`;
    for (const get of findExpressions(b, b.Function.getBody(module.getFunction(twin)), b.GlobalGetId, twin)) {
      if (api.GlobalGet.getName(get) === flag) api.GlobalGet.setName(get, twinFlag);
    }
  }
  for (const name of patchable) {
    const twin = twinOf(name);
    for (const call of findExpressions(b, b.Function.getBody(module.getFunction(twin)), b.CallId, twin)) {
      const target = api.Call.getTarget(call);
      if (patchable.has(target)) api.Call.setTarget(call, twinOf(target));
    }
  }
  repointExports(b, module, patchable);
  repointElements(b, module, patchable);
}

function repointExports(b: Binaryen, module: BinaryenModule, patchable: Set<string>): void {
  const moves: { name: string; target: string }[] = [];
  for (let i = 0; i < module.getNumExports(); i++) {
    const e = b.getExportInfo(module.getExportByIndex(i));
    // The program's own exports keep the fast copy: its callees stay inlinable into it.
    if (e.kind === b.ExternalFunction && patchable.has(e.value) && e.name.startsWith("hotwasm:")) moves.push({ name: e.name, target: twinOf(e.value) });
  }
  for (const m of moves) {
    module.removeExport(m.name);
    module.addFunctionExport(m.target, m.name);
  }
}

function repointElements(b: Binaryen, module: BinaryenModule, patchable: Set<string>): void {
  const segments: { name: string; table: string; offset: number; names: string[] }[] = [];
  for (let i = 0; i < module.getNumElementSegments(); i++) {
    const seg = b.getElementSegmentInfo(module.getElementSegmentByIndex(i));
    if (!seg.data.some((n) => patchable.has(n))) continue;
    const offset = b.getExpressionInfo(seg.offset) as { id: number; value?: number };
    if (offset.id !== b.ConstId) continue; // passive or computed: leave it
    segments.push({ name: seg.name, table: seg.table, offset: offset.value!, names: seg.data.map((n) => (patchable.has(n) ? twinOf(n) : n)) });
  }
  for (const s of segments) {
    module.removeElementSegment(s.name);
    module.addActiveElementSegment(s.table, s.name, s.names, module.i32.const(s.offset));
  }
}
