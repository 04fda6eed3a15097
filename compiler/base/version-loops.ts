// Loop versioning for patched calls, run after Binaryen's optimiser. When a patchable callee is
// inlined into a loop, every iteration tests the callee's flag: `if flag call_indirect slot else
// body`. An innermost loop with such guards becomes
//   if (all its guards' flags) <copy of the loop, each guard replaced by its call_indirect> else <loop>
// so a patched call costs one indirect call and nothing more. The copy stays right if a flag
// drops to 0 mid-loop: a slot always holds a working version (the unpatched function itself
// while its flag is 0), so `call_indirect slot` is always the function's current behaviour.

import { childrenOf } from "../common/expression-children.js";
import type { Binaryen, BinaryenModule } from "../common/binaryen-util.js";

/** Loops bigger than this many expressions are left alone (the copy doubles their code). */
export const MAX_VERSIONED_LOOP = 400;

/** A flag global of the patchable build and the slot it guards. */
export type FlagSlots = ReadonlyMap<string, number>;

/** Versions every innermost loop of `module` that tests patch flags; returns how many loops. */
export function versionLoops(b: Binaryen, module: BinaryenModule, flags: FlagSlots, table: string): number {
  let count = 0;
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const fn = module.getFunctionByIndex(i);
    const info = b.getFunctionInfo(fn);
    if (info.module || !info.body) continue;
    count += versionFunction(b, module, fn, info.name, { flags, table });
  }
  return count;
}

interface Context { flags: FlagSlots; table: string }
interface Node { expr: number; parent: number | null }

function versionFunction(b: Binaryen, module: BinaryenModule, fn: number, name: string, ctx: Context): number {
  const loops = walk(b, b.Function.getBody(fn), name).filter((n) => b.getExpressionId(n.expr) === b.LoopId);
  let count = 0;
  for (const loop of loops) {
    const inside = walk(b, loop.expr, name).slice(1);
    if (inside.length > MAX_VERSIONED_LOOP) continue;
    if (inside.some((n) => n.expr !== loop.expr && [b.LoopId, b.TryId].includes(b.getExpressionId(n.expr)))) continue;
    const guards = inside.map((n) => matchGuard(b, n.expr, ctx)).filter((g): g is Guard => g !== null);
    if (guards.length === 0) continue;
    const copy = module.copyExpression(loop.expr);
    renameLabels(b, copy, `$hw${count}`, name);
    for (const n of walk(b, copy, name)) {
      const guard = matchGuard(b, n.expr, ctx);
      if (guard && !replaceChild(b, fn, n.parent, n.expr, guard.call)) {
        api(b).If.setCondition(n.expr, module.i32.const(guard.negated ? 0 : 1));
      }
    }
    const flagsOn = [...new Set(guards.map((g) => g.flag))].map((f) => module.global.get(f, b.i32))
      .reduce((all, f) => module.i32.and(all, f));
    if (replaceChild(b, fn, loop.parent, loop.expr, module.if(flagsOn, copy, loop.expr))) count++;
  }
  return count;
}

interface Guard { flag: string; call: number; negated: boolean }

/** `if (flag) call_indirect slot else …` (also `flag & 1`, and negated with the arms swapped). */
function matchGuard(b: Binaryen, expr: number, ctx: Context): Guard | null {
  if (b.getExpressionId(expr) !== b.IfId) return null;
  const x = api(b);
  let cond = x.If.getCondition(expr);
  let negated = false;
  if (b.getExpressionId(cond) === b.UnaryId && x.Unary.getOp(cond) === b.EqZInt32) {
    negated = true;
    cond = x.Unary.getValue(cond);
  }
  const flag = flagOf(b, cond, ctx);
  if (flag === null) return null;
  const arm = negated ? x.If.getIfFalse(expr) : x.If.getIfTrue(expr);
  if (!arm || !isSlotCall(b, arm, ctx.flags.get(flag)!, ctx.table)) return null;
  return { flag, call: arm, negated };
}

function flagOf(b: Binaryen, cond: number, ctx: Context): string | null {
  const x = api(b);
  const id = b.getExpressionId(cond);
  if (id === b.GlobalGetId) return ctx.flags.has(x.GlobalGet.getName(cond)) ? x.GlobalGet.getName(cond) : null;
  if (id !== b.BinaryId || x.Binary.getOp(cond) !== b.AndInt32) return null;
  const [l, r] = [x.Binary.getLeft(cond), x.Binary.getRight(cond)];
  const one = (e: number) => b.getExpressionId(e) === b.ConstId && x.Const.getValueI32(e) === 1;
  if (one(r)) return flagOf(b, l, ctx);
  if (one(l)) return flagOf(b, r, ctx);
  return null;
}

/** The arm is the guard's call of `slot` (maybe stored, dropped or returned), with plain operands. */
function isSlotCall(b: Binaryen, arm: number, slot: number, table: string): boolean {
  const x = api(b);
  let e = arm;
  const id = b.getExpressionId(e);
  const holder = valueHolder(b, id);
  if (holder) e = holder.getValue(e);
  if (!e || b.getExpressionId(e) !== b.CallIndirectId || x.CallIndirect.getTable(e) !== table) return false;
  const target = x.CallIndirect.getTarget(e);
  if (b.getExpressionId(target) !== b.ConstId || x.Const.getValueI32(target) !== slot) return false;
  const plain = [b.LocalGetId, b.ConstId, b.GlobalGetId];
  return x.CallIndirect.getOperands(e).every((o) => plain.includes(b.getExpressionId(o)));
}

/** Every expression under `root` with its parent (null for `root`), parents first. */
function walk(b: Binaryen, root: number, where: string): Node[] {
  const out: Node[] = [];
  const stack: Node[] = [{ expr: root, parent: null }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push(node);
    const children = childrenOf(b, node.expr, b.getExpressionId(node.expr), where);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ expr: children[i]!, parent: node.expr });
  }
  return out;
}

/** Binaryen wants label names unique in a function: gives the copy's labels a suffix. */
function renameLabels(b: Binaryen, root: number, suffix: string, where: string): void {
  const x = api(b);
  const nodes = walk(b, root, where);
  const defined = new Set<string>();
  for (const { expr } of nodes) {
    const id = b.getExpressionId(expr);
    const cls = id === b.BlockId ? x.Block : id === b.LoopId ? x.Loop : null;
    const label = cls?.getName(expr);
    if (cls && label) { defined.add(label); cls.setName(expr, label + suffix); }
  }
  const renamed = (label: string) => (defined.has(label) ? label + suffix : label);
  for (const { expr } of nodes) {
    const id = b.getExpressionId(expr);
    if (id === b.BreakId) x.Break.setName(expr, renamed(x.Break.getName(expr)));
    else if (id === b.SwitchId) {
      const names = x.Switch.getNames(expr);
      names.forEach((n, i) => x.Switch.setNameAt(expr, i, renamed(n)));
      x.Switch.setDefaultName(expr, renamed(x.Switch.getDefaultName(expr)));
    } else if (id === b.BrOnId) x.BrOn.setName(expr, renamed(x.BrOn.getName(expr)));
  }
}

/** Puts `next` where `old` was under `parent` (null: the function body); false if it cannot. */
function replaceChild(b: Binaryen, fn: number, parent: number | null, old: number, next: number): boolean {
  const x = api(b);
  if (parent === null) { b.Function.setBody(fn, next); return true; }
  const id = b.getExpressionId(parent);
  if (id === b.BlockId) {
    const at = x.Block.getChildren(parent).indexOf(old);
    if (at >= 0) x.Block.setChildAt(parent, at, next);
    return at >= 0;
  }
  if (id === b.IfId) {
    if (x.If.getIfTrue(parent) === old) x.If.setIfTrue(parent, next);
    else if (x.If.getIfFalse(parent) === old) x.If.setIfFalse(parent, next);
    else return false;
    return true;
  }
  if (id === b.LoopId) { x.Loop.setBody(parent, next); return true; }
  const holder = valueHolder(b, id);
  if (holder && holder.getValue(parent) === old) {
    holder.setValue(parent, next);
    return true;
  }
  return false;
}

/** The class of an expression kind with one `value` child (each reads it at its own offset). */
function valueHolder(b: Binaryen, id: number): LoopingApi["LocalSet"] | null {
  const raw = b as unknown as Record<string, LoopingApi["LocalSet"]>;
  if (id === b.LocalSetId) return raw.LocalSet!;
  if (id === b.DropId) return raw.Drop!;
  if (id === b.ReturnId) return raw.Return!;
  if (id === b.GlobalSetId) return raw.GlobalSet!;
  return null;
}

interface Named { getName(e: number): string; setName(e: number, name: string): void }
interface LoopingApi {
  If: { getCondition(e: number): number; setCondition(e: number, c: number): void; getIfTrue(e: number): number; getIfFalse(e: number): number; setIfTrue(e: number, v: number): void; setIfFalse(e: number, v: number): void };
  Unary: { getOp(e: number): number; getValue(e: number): number };
  Binary: { getOp(e: number): number; getLeft(e: number): number; getRight(e: number): number };
  Const: { getValueI32(e: number): number };
  GlobalGet: { getName(e: number): string };
  CallIndirect: { getTable(e: number): string; getTarget(e: number): number; getOperands(e: number): number[] };
  LocalSet: { getValue(e: number): number; setValue(e: number, v: number): void };
  Block: Named & { getChildren(e: number): number[]; setChildAt(e: number, i: number, v: number): void };
  Loop: Named & { setBody(e: number, v: number): void };
  Break: Named;
  BrOn: Named;
  Switch: { getNames(e: number): string[]; setNameAt(e: number, i: number, n: string): void; getDefaultName(e: number): string; setDefaultName(e: number, n: string): void };
}

/** binaryen.js's expression classes this pass uses (missing from its typings). */
function api(b: Binaryen): LoopingApi {
  return b as unknown as LoopingApi;
}
