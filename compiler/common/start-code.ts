// The top-level code of a program as asc compiles it: `~start` calls each file's `start:FILE`,
// and each start function is a shadow-stack frame (set up, zeroed, torn down) around the file's
// statements in source order, among them the initialisation of every global whose initialiser is
// not a constant (`global.set`). `hotwasm diff` compares start functions statement by statement
// (diff/start-changes.ts), and a patch runs the initialisers of its new globals once at load: a
// copy of the start functions keeping their frames and those statements only.

import type { Binaryen, BinaryenModule } from "./binaryen-util.js";

/** The expression accessors used here (missing from binaryen.js's typings). */
interface Api {
  Block: { getName(e: number): string | null; getNumChildren(e: number): number; getChildAt(e: number, i: number): number; setChildAt(e: number, i: number, child: number): void };
  GlobalSet: { getName(e: number): string };
  GlobalGet: { getName(e: number): string };
  Call: { getTarget(e: number): string };
  Store: { getPtr(e: number): number; getValue(e: number): number };
}

/** One statement of a start function. */
export interface StartStatement {
  /** The expression (owned by the module). */
  expr: number;
  /** Shadow-stack bookkeeping of the function's frame, not code of the program. */
  frame: boolean;
  /** The global a `global.set` statement sets, else null. */
  sets: string | null;
  /** The start function a call statement runs, else null. */
  runs: string | null;
}

const STACK_POINTER = "~lib/memory/__stack_pointer";
const STACK_CHECK = "~stack_check";

/** True for the names asc gives start functions: `~start` and `start:FILE`. */
export function isStartFunction(name: string): boolean {
  return name === "~start" || name.startsWith("start:");
}

/** The statements of a start function's body: unnamed blocks flattened, in order. */
export function startStatements(b: Binaryen, body: number): StartStatement[] {
  return flatten(b, body).map(({ expr }) => describe(b, expr));
}

/**
 * `text` (a statement printed by Binaryen) without what moves when other statements come or go:
 * local indices and numbered labels are renumbered from their first use, and the offsets of its
 * stores into the frame (where asc keeps managed temporaries alive) are masked.
 */
export function normaliseStatement(text: string): string {
  const locals = new Map<string, number>();
  const labels = new Map<string, number>();
  return text
    .replace(FRAME_STORE, "$1 offset=#")
    .replace(LOCAL, (_, op: string, name: string) => `(local.${op} $l${numberFor(locals, name)}`)
    .replace(LABEL, (_, name: string, n: string) => `${name}|${numberFor(labels, `${name}|${n}`)}`);
}

/**
 * Adds function `name`: a copy of start function `start` that runs only its frame bookkeeping, the
 * statements setting a global of `globals` and (through copies of their own) the start functions
 * it calls that set one. Returns false, adding nothing, when none is set.
 */
export function addInitialiser(b: Binaryen, module: BinaryenModule, start: string, globals: ReadonlySet<string>, name: string): boolean {
  const made = new Map<string, string | null>();
  const copy = (fn: string, as: string): string | null => {
    if (made.has(fn)) return made.get(fn)!;
    made.set(fn, null);
    const info = b.getFunctionInfo(module.getFunction(fn));
    let body = module.copyExpression(info.body);
    let kept = 0;
    const replace = (s: { expr: number; parent: number | null; index: number }, by: number) => {
      if (s.parent === null) body = by;
      else api(b).Block.setChildAt(s.parent, s.index, by);
    };
    for (const s of flatten(b, body)) {
      const st = describe(b, s.expr);
      if (st.frame) continue;
      if (st.sets !== null && globals.has(st.sets)) { kept++; continue; }
      const inner = st.runs === null ? null : copy(st.runs, `${name}:${st.runs}`);
      if (inner) kept++;
      replace(s, inner ? module.call(inner, [], b.none) : module.nop());
    }
    if (kept === 0) return null;
    module.addFunction(as, b.none, b.none, info.vars, body);
    made.set(fn, as);
    return as;
  };
  return copy(start, name) !== null;
}

const FRAME_STORE = /(\.store\d*(?: \$\S+)?)(?: offset=\d+)?(?=\s*\(global\.get \$~lib\/memory\/__stack_pointer\))/g;
const LOCAL = /\(local\.(get|set|tee) \$([^\s()]+)/g;
const LABEL = /(\$[^\s()|]+)\|(\d+)\b/g;

function api(b: Binaryen): Api {
  return b as unknown as Api;
}

function numberFor(map: Map<string, number>, key: string): number {
  let n = map.get(key);
  if (n === undefined) map.set(key, (n = map.size));
  return n;
}

/** The leaf statements under `body` with the block holding each (null: `body` itself). */
function flatten(b: Binaryen, body: number): { expr: number; parent: number | null; index: number }[] {
  const out: { expr: number; parent: number | null; index: number }[] = [];
  const walk = (expr: number, parent: number | null, index: number) => {
    if (b.getExpressionId(expr) === b.BlockId && !api(b).Block.getName(expr) && b.getExpressionType(expr) === b.none) {
      for (let i = 0, n = api(b).Block.getNumChildren(expr); i < n; i++) walk(api(b).Block.getChildAt(expr, i), expr, i);
    } else out.push({ expr, parent, index });
  };
  walk(body, null, 0);
  return out;
}

function describe(b: Binaryen, expr: number): StartStatement {
  const id = b.getExpressionId(expr);
  if (id === b.GlobalSetId) {
    const name = api(b).GlobalSet.getName(expr);
    return { expr, frame: name === STACK_POINTER, sets: name === STACK_POINTER ? null : name, runs: null };
  }
  if (id === b.CallId) {
    const target = api(b).Call.getTarget(expr);
    return { expr, frame: target === STACK_CHECK, sets: null, runs: isStartFunction(target) ? target : null };
  }
  // The frame is zeroed before use: constant stores at the stack pointer.
  const ptr = id === b.StoreId ? api(b).Store.getPtr(expr) : 0;
  const zeroing = id === b.StoreId && b.getExpressionId(ptr) === b.GlobalGetId && api(b).GlobalGet.getName(ptr) === STACK_POINTER
    && b.getExpressionId(api(b).Store.getValue(expr)) === b.ConstId;
  return { expr, frame: zeroing, sets: null, runs: null };
}
