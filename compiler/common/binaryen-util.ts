// Small helpers over binaryen.js: value types as text, data segments, and validation that
// names the functions it rejects.

import type binaryenNs from "binaryen";

/** The binaryen.js namespace asc hands a transform (with the statics its typings lack). */
export type Binaryen = typeof binaryenNs & {
  Table: {
    getInitial(table: number): number;
    setInitial(table: number, initial: number): void;
    setMax(table: number, max: number): void;
  };
  Function: {
    getBody(fn: number): number;
    setBody(fn: number, body: number): void;
  };
};
/** A binaryen.js module. */
export type BinaryenModule = binaryenNs.Module;

/** A data segment as binaryen.js reports it (missing from its typings). */
export interface DataSegmentInfo {
  name: string;
  offset: number | null;
  data: ArrayBuffer;
  passive: boolean;
}

interface DataSegmentApi {
  getNumDataSegments(): number;
  getDataSegmentByIndex(index: number): number;
  getDataSegmentInfo(ref: number): DataSegmentInfo;
}

/** Thrown when a rewritten module does not validate; names the functions at fault. */
export class RewriteError extends Error {
  override readonly name = "RewriteError";
  constructor(message: string, readonly functions: string[] = []) {
    super(message);
  }
}

/** Wasm value types of a binaryen (tuple) type, as text. */
export function typeNames(b: Binaryen, type: number): string[] {
  return b.expandType(type).map((t) => typeName(b, t));
}

/** One wasm value type as text. */
export function typeName(b: Binaryen, type: number): string {
  const table: [number, string][] = [
    [b.i32, "i32"], [b.i64, "i64"], [b.f32, "f32"], [b.f64, "f64"], [b.v128, "v128"],
    [b.funcref, "funcref"], [b.externref, "externref"], [b.anyref, "anyref"], [b.eqref, "eqref"],
    [b.i31ref, "i31ref"], [b.structref, "structref"], [b.arrayref, "arrayref"],
  ];
  const hit = table.find(([t]) => t === type);
  if (!hit) throw new RewriteError(`unsupported value type ${type}`);
  return hit[1];
}

/** All data segments of a module. */
export function dataSegments(module: BinaryenModule): DataSegmentInfo[] {
  const api = module as unknown as DataSegmentApi;
  const out: DataSegmentInfo[] = [];
  for (let i = 0; i < api.getNumDataSegments(); i++) out.push(api.getDataSegmentInfo(api.getDataSegmentByIndex(i)));
  return out;
}

/** Validates `module`; on failure throws a RewriteError naming the functions Binaryen rejected. */
export function validateOrThrow(module: BinaryenModule, what: string, b?: Binaryen): void {
  const { ok, text } = validateCapturing(module);
  if (ok) return;
  let functions = [...new Set([...text.matchAll(/in function ([^\]]+)\]/g)].map((m) => m[1]!))];
  if (functions.length === 0 && b) functions = findInvalidFunctions(b, module);
  const where = functions.length > 0 ? ` in ${functions.join(", ")}` : "";
  const detail = text.split("\n").filter(Boolean).slice(0, 6).join("\n  ");
  throw new RewriteError(`${what}: the rewritten module does not validate${where}${detail ? `:\n  ${detail}` : ""}`, functions);
}

/** Validates while holding what Binaryen prints (Node only; elsewhere it goes to the console). */
function validateCapturing(module: BinaryenModule): { ok: boolean; text: string } {
  const captured: string[] = [];
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  const restore: (() => void)[] = [];
  for (const stream of proc?.stderr && proc.stdout ? [proc.stderr, proc.stdout] : []) {
    const original = stream.write;
    stream.write = ((chunk: string | Uint8Array) => {
      captured.push(typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk));
      return true;
    }) as typeof stream.write;
    restore.push(() => { stream.write = original; });
  }
  try {
    return { ok: module.validate() !== 0, text: captured.join("") };
  } finally {
    for (const r of restore) r();
  }
}

/**
 * Finds the functions that make validation fail when Binaryen's messages could not be read:
 * every body is stubbed with `unreachable`, then bodies come back in chunks, one by one inside
 * a chunk that fails. Bodies are restored at the end.
 */
function findInvalidFunctions(b: Binaryen, module: BinaryenModule): string[] {
  const fns: { ref: number; name: string; body: number }[] = [];
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const ref = module.getFunctionByIndex(i);
    const info = b.getFunctionInfo(ref);
    if (!info.module) fns.push({ ref, name: info.name, body: b.Function.getBody(ref) });
  }
  const stub = (f: (typeof fns)[number]) => b.Function.setBody(f.ref, module.unreachable());
  const put = (f: (typeof fns)[number]) => b.Function.setBody(f.ref, f.body);
  const bad: string[] = [];
  try {
    fns.forEach(stub);
    if (!validateCapturing(module).ok) return [];
    for (let i = 0; i < fns.length; i += 64) {
      const chunk = fns.slice(i, i + 64);
      chunk.forEach(put);
      if (validateCapturing(module).ok) continue;
      chunk.forEach(stub);
      for (const f of chunk) {
        put(f);
        if (!validateCapturing(module).ok) { bad.push(f.name); stub(f); }
      }
    }
  } finally {
    fns.forEach(put);
  }
  return bad;
}

/** The module's binary under fixed writer settings: Binaryen's global optimise and shrink levels
 * Stack IR and debug-info options (which asc leaves set after a compilation) change how the binary is written, so a hash of it
 * taken under whatever settings are current would differ between the first build of a process
 * and the next. */
export function emitStableBinary(b: Binaryen, module: BinaryenModule): Uint8Array {
  const saved = { optimize: b.getOptimizeLevel(), shrink: b.getShrinkLevel(), generate: b.getGenerateStackIR(), optimizeStack: b.getOptimizeStackIR(), debug: b.getDebugInfo() };
  b.setOptimizeLevel(0);
  b.setShrinkLevel(0);
  b.setGenerateStackIR(false);
  b.setOptimizeStackIR(false);
  b.setDebugInfo(false);
  try {
    return module.emitBinary();
  } finally {
    b.setOptimizeLevel(saved.optimize);
    b.setShrinkLevel(saved.shrink);
    b.setGenerateStackIR(saved.generate);
    b.setOptimizeStackIR(saved.optimizeStack);
    b.setDebugInfo(saved.debug);
  }
}

/** True when the module defines or imports function `name`. */
export function hasFunction(module: BinaryenModule, name: string): boolean {
  return module.getFunction(name) !== 0;
}
