// Walks Binaryen expression trees through binaryen.js, which has no generic child iterator: a
// table names the child getters of every expression kind. A kind missing from the table is
// reported rather than skipped, so a walk never silently misses part of a function.

import { RewriteError, type Binaryen } from "./binaryen-util.js";

/** Every expression under `root` (itself included) whose id is `id` (or one of `id`), in tree order. */
export function findExpressions(b: Binaryen, root: number, id: number | readonly number[], where: string): number[] {
  const wanted = new Set(typeof id === "number" ? [id] : id);
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const expr = stack.pop()!;
    const kind = b.getExpressionId(expr);
    if (wanted.has(kind)) out.push(expr);
    const children = childrenOf(b, expr, kind, where);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return out;
}

/** The child expressions of `expr`, in order. */
export function childrenOf(b: Binaryen, expr: number, kind: number, where: string): number[] {
  const getters = childGetters(b).get(kind);
  if (!getters) throw new RewriteError(`${where}: cannot walk an expression of kind ${kindName(b, kind)}`, [where]);
  const out: number[] = [];
  for (const get of getters) {
    const value = get(expr);
    if (Array.isArray(value)) out.push(...value.filter((v) => v !== 0));
    else if (value) out.push(value);
  }
  return out;
}

type Getter = (expr: number) => number | number[];
type ExpressionClass = Record<string, (expr: number, index?: number) => number | number[]>;

/** Child getters per expression kind: class name -> getter names (leaves have none). */
const CHILDREN: Record<string, string[]> = {
  Block: ["getChildren"], If: ["getCondition", "getIfTrue", "getIfFalse"], Loop: ["getBody"],
  Break: ["getCondition", "getValue"], Switch: ["getCondition", "getValue"], Call: ["getOperands"],
  CallIndirect: ["getTarget", "getOperands"], LocalGet: [], LocalSet: ["getValue"], GlobalGet: [], GlobalSet: ["getValue"],
  Load: ["getPtr"], Store: ["getPtr", "getValue"], Const: [], Unary: ["getValue"], Binary: ["getLeft", "getRight"],
  Select: ["getIfTrue", "getIfFalse", "getCondition"], Drop: ["getValue"], Return: ["getValue"], MemorySize: [],
  MemoryGrow: ["getDelta"], Nop: [], Unreachable: [], AtomicRMW: ["getPtr", "getValue"],
  AtomicCmpxchg: ["getPtr", "getExpected", "getReplacement"], AtomicWait: ["getPtr", "getExpected", "getTimeout"],
  AtomicNotify: ["getPtr", "getNotifyCount"], AtomicFence: [], SIMDExtract: ["getVec"], SIMDReplace: ["getVec", "getValue"],
  SIMDShuffle: ["getLeft", "getRight"], SIMDTernary: ["getA", "getB", "getC"], SIMDShift: ["getVec", "getShift"],
  SIMDLoad: ["getPtr"], SIMDLoadStoreLane: ["getPtr", "getVec"], MemoryInit: ["getDest", "getOffset", "getSize"],
  DataDrop: [], MemoryCopy: ["getDest", "getSource", "getSize"], MemoryFill: ["getDest", "getValue", "getSize"],
  Pop: [], RefNull: [], RefIsNull: ["getValue"], RefFunc: [], RefEq: ["getLeft", "getRight"], TableGet: ["getIndex"],
  TableSet: ["getIndex", "getValue"], TableSize: [], TableGrow: ["getValue", "getDelta"], Try: ["getBody", "getCatchBodies"],
  Throw: ["getOperands"], Rethrow: [], TupleMake: ["getOperands"], TupleExtract: ["getTuple"], RefI31: ["getValue"],
  I31Get: ["getI31"], RefTest: ["getRef"], RefCast: ["getRef"], BrOn: ["getRef"], StructNew: ["getOperands"],
  StructGet: ["getRef"], StructSet: ["getRef", "getValue"], ArrayNew: ["getInit", "getSize"], ArrayNewFixed: ["getValues"],
  ArrayNewData: ["getOffset", "getSize"], ArrayNewElem: ["getOffset", "getSize"], ArrayGet: ["getRef", "getIndex"],
  ArraySet: ["getRef", "getIndex", "getValue"], ArrayLen: ["getRef"], ArrayFill: ["getRef", "getIndex", "getValue", "getSize"],
  ArrayCopy: ["getDestRef", "getDestIndex", "getSrcRef", "getSrcIndex", "getLength"],
  ArrayInitData: ["getRef", "getIndex", "getOffset", "getSize"], ArrayInitElem: ["getRef", "getIndex", "getOffset", "getSize"],
  RefAs: ["getValue"],
};

let cached: { b: Binaryen; table: Map<number, Getter[]> } | null = null;

function childGetters(b: Binaryen): Map<number, Getter[]> {
  if (cached?.b === b) return cached.table;
  const api = b as unknown as Record<string, unknown>;
  const table = new Map<number, Getter[]>();
  for (const [name, getters] of Object.entries(CHILDREN)) {
    const id = api[`${name}Id`];
    const cls = api[name] as ExpressionClass | undefined;
    if (typeof id !== "number") continue;
    table.set(id, getters.map((g) => {
      const fn = cls?.[g];
      if (typeof fn !== "function") throw new RewriteError(`binaryen.js has no ${name}.${g}`);
      return (expr: number) => fn(expr);
    }));
  }
  // CallRef has no getOperands in binaryen.js: read its operands one by one.
  const callRef = api.CallRef as ExpressionClass | undefined;
  if (typeof api.CallRefId === "number" && callRef) {
    table.set(api.CallRefId, [
      (expr) => Array.from({ length: callRef.getNumOperands!(expr) as number }, (_, i) => callRef.getOperandAt!(expr, i) as number),
      (expr) => callRef.getTarget!(expr) as number,
    ]);
  }
  cached = { b, table };
  return table;
}

function kindName(b: Binaryen, kind: number): string {
  const api = b as unknown as Record<string, unknown>;
  const hit = Object.keys(api).find((k) => k.endsWith("Id") && api[k] === kind);
  return hit ? hit.slice(0, -2) : `#${kind}`;
}
