// Which functions can run for an unbounded time: those that loop, call through the table or a
// reference, recurse, or call such a function. The others finish in bounded time, so they need no
// entry poll. An import call counts as bounded: Wasm it calls back into starts at an export, with
// polls of its own. A patchable function is judged by its own body, the guard's else branch (the
// guard's indirect call goes to a patch, which has no polls anyway).

import { findExpressions } from "../common/expression-children.js";
import type { Binaryen, BinaryenModule } from "../common/binaryen-util.js";
import type { ManifestFunction } from "../../host/model/manifest.js";

/** Names of the functions in `functions` (the manifest's, before the rewrite) that may run unbounded. */
export function findUnbounded(b: Binaryen, module: BinaryenModule, functions: readonly ManifestFunction[]): Set<string> {
  const nodes = new Map<string, { selfUnbounded: boolean; callees: string[] }>();
  const api = b as unknown as { CallRefId: number; Call: { getTarget(e: number): string } };
  for (const f of functions) {
    const owner = f.name;
    const body = ownBody(b, b.Function.getBody(module.getFunction(owner)), f.slot !== null);
    const calls = findExpressions(b, body, [b.CallId, b.CallIndirectId, api.CallRefId, b.LoopId], owner);
    const kinds = calls.map((e) => b.getExpressionId(e));
    const callees = calls.filter((_, i) => kinds[i] === b.CallId).map((e) => api.Call.getTarget(e));
    nodes.set(f.name, { selfUnbounded: kinds.some((k) => k !== b.CallId), callees });
  }
  const state = new Map<string, "visiting" | boolean>();
  // Depth first; reaching a function that is still being visited means recursion: unbounded.
  const unbounded = (name: string): boolean => {
    const known = state.get(name);
    if (known === "visiting") return true;
    if (known !== undefined) return known;
    const node = nodes.get(name);
    if (!node) return !isImport(b, module, name); // a defined function the rewrite does not know: assume the worst
    state.set(name, "visiting");
    const result = node.selfUnbounded || node.callees.some((c) => unbounded(c));
    state.set(name, result);
    return result;
  };
  return new Set(functions.map((f) => f.name).filter(unbounded));
}

/** A patchable function's body is `if (flag) call_indirect else <own body>`: its own body is the else branch. */
function ownBody(b: Binaryen, body: number, patchable: boolean): number {
  if (!patchable || b.getExpressionId(body) !== b.IfId) return body;
  return (b.getExpressionInfo(body) as unknown as { ifFalse: number }).ifFalse || body;
}

function isImport(b: Binaryen, module: BinaryenModule, name: string): boolean {
  const ref = module.getFunction(name);
  return ref !== 0 && Boolean(b.getFunctionInfo(ref).module);
}
