// Keeps patchable code as fast as plain code. Binaryen inlines a function into its only caller
// and drops it, but not a function that is also exported or in a table, and every patchable
// function is both. So a patchable function f that calls only patchable functions, imports and
// tiny helpers gets a twin, f$entry: the same guarded body, calling twins. hotwasm's exports and
// table slots use the twins; the program's own calls, exports and function references use f,
// which Binaryen may now inline like any private function. Both copies test the same flag and
// dispatch through the same slot, so a patch takes effect in both at once.

import { childrenOf, findExpressions } from "../common/expression-children.js";
import type { Binaryen, BinaryenModule } from "../common/binaryen-util.js";
import type { ManifestFunction } from "../../host/model/manifest.js";

/** Functions this small (in expressions) Binaryen inlines however many callers they have. */
const ALWAYS_INLINED = 12;

/** The element segment of hotwasm's slots (make-patchable.ts). */
const SLOTS_SEGMENT = "hotwasm:slots";

/** The twin of a patchable function. */
export function twinOf(name: string): string {
  return `${name}$entry`;
}

/** Adds twins and points hotwasm's exports and slots at them. Call after every rewrite of f. */
export function splitTwins(b: Binaryen, module: BinaryenModule, functions: readonly ManifestFunction[]): void {
  const api = b as unknown as {
    Call: { getTarget(e: number): string; setTarget(e: number, name: string): void };
    GlobalGet: { getName(e: number): string };
    If: { getCondition(e: number): number; setCondition(e: number, cond: number): void };
  };
  const patchable = new Set(functions.filter((f) => f.slot !== null).map((f) => f.name));
  const isImport = (name: string) => Boolean(b.getFunctionInfo(module.getFunction(name)).module);
  const sizes = new Map<string, number>();
  const isTiny = (name: string) => {
    if (!sizes.has(name)) sizes.set(name, sizeOf(b, b.Function.getBody(module.getFunction(name)), name));
    return sizes.get(name)! <= ALWAYS_INLINED;
  };
  // A copy that calls library code gives that code a second caller, which can cost its callers
  // their inlining: only functions calling nothing but patchable functions, imports and code
  // small enough to be inlined anyway get a twin.
  const twinned = new Set<string>();
  for (const name of patchable) {
    const calls = findExpressions(b, b.Function.getBody(module.getFunction(name)), b.CallId, name).map((c) => api.Call.getTarget(c));
    if (calls.every((t) => patchable.has(t) || isImport(t) || isTiny(t))) twinned.add(name);
  }
  for (const fn of functions) {
    if (fn.slot === null || !twinned.has(fn.name)) continue;
    const f = b.getFunctionInfo(module.getFunction(fn.name));
    const twin = twinOf(fn.name);
    module.addFunction(twin, f.params, f.results, f.vars, module.copyExpression(f.body));
    // The twin tests the same flag as (flag & 1): the same answer (flags are 0 or 1), but code
    // Binaryen cannot prove equal to f's, so it does not merge the two back into one.
    const flag = `hotwasm$flag$${fn.slot}`;
    for (const cond of findExpressions(b, b.Function.getBody(module.getFunction(twin)), b.IfId, twin)) {
      const test = api.If.getCondition(cond);
      if (b.getExpressionId(test) === b.GlobalGetId && api.GlobalGet.getName(test) === flag) {
        api.If.setCondition(cond, module.i32.and(test, module.i32.const(1)));
      }
    }
  }
  for (const name of twinned) {
    const twin = twinOf(name);
    for (const call of findExpressions(b, b.Function.getBody(module.getFunction(twin)), b.CallId, twin)) {
      const target = api.Call.getTarget(call);
      if (twinned.has(target)) api.Call.setTarget(call, twinOf(target));
    }
  }
  repointExports(b, module, twinned);
  repointElements(b, module, twinned);
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
    // Only hotwasm's slots: a function reference of the program is called indirectly anyway, and
    // keeping the fast copy there keeps its callees inlinable into it.
    if (seg.name !== SLOTS_SEGMENT || !seg.data.some((n) => patchable.has(n))) continue;
    const offset = b.getExpressionInfo(seg.offset) as { id: number; value?: number };
    if (offset.id !== b.ConstId) continue; // passive or computed: leave it
    segments.push({ name: seg.name, table: seg.table, offset: offset.value!, names: seg.data.map((n) => (patchable.has(n) ? twinOf(n) : n)) });
  }
  for (const s of segments) {
    module.removeElementSegment(s.name);
    module.addActiveElementSegment(s.table, s.name, s.names, module.i32.const(s.offset));
  }
}

/** The number of expressions in a function body. */
function sizeOf(b: Binaryen, body: number, where: string): number {
  let count = 0;
  const stack = [body];
  while (stack.length > 0 && count <= ALWAYS_INLINED * 4) {
    const e = stack.pop()!;
    count++;
    stack.push(...childrenOf(b, e, b.getExpressionId(e), where));
  }
  return count;
}
