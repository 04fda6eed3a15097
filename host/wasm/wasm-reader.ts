// Reads the parts of a WebAssembly binary the host needs to check a patch: types, imports,
// exports, globals, start, data and element segments, custom sections. Reads only; every read
// is bounds-checked, so any input either parses or throws a WasmReadError.

import { Reader, WasmReadError } from "./byte-reader.js";
import type { ExportEntry, FuncType, GlobalType, ImportEntry, Limits, ModuleInfo, Segment, ValType } from "./wasm-types.js";

export { WasmReadError } from "./byte-reader.js";
export type { ExportEntry, FuncType, GlobalType, ImportEntry, Limits, ModuleInfo, Segment, ValType } from "./wasm-types.js";

/** Parses a module binary. */
export function readModule(bytes: Uint8Array): ModuleInfo {
  const r = new Reader(bytes);
  if (r.u32le() !== 0x6d736100) throw new WasmReadError("bad magic number");
  if (r.u32le() !== 1) throw new WasmReadError("unsupported binary version");
  const info: ModuleInfo = {
    types: [], imports: [], functions: [], globals: [], tables: 0, importedTables: 0, memories: 0, tags: 0,
    exports: [], start: null, data: [], elements: [], custom: [],
  };
  while (!r.done()) {
    const id = r.byte();
    const size = r.uleb();
    const end = r.pos + size;
    if (end > bytes.length) throw new WasmReadError(`section ${id} runs past the end`);
    const s = new Reader(bytes.subarray(0, end), r.pos);
    readSection(id, s, info);
    if (id !== 0 && s.pos !== end) throw new WasmReadError(`section ${id} has trailing bytes`);
    r.pos = end;
  }
  return info;
}

/** The type of an exported function, or null if `name` is not a function export. */
export function exportedFuncType(info: ModuleInfo, name: string): FuncType | null {
  const e = info.exports.find((x) => x.name === name);
  if (!e || e.kind !== "function") return null;
  return info.functions[e.index] ?? null;
}

/** The bytes of the first custom section called `name`, or null. */
export function customSection(info: ModuleInfo, name: string): Uint8Array | null {
  return info.custom.find((c) => c.name === name)?.bytes ?? null;
}

/** "(i32, i32) -> i32" for messages. */
export function formatFuncType(t: FuncType): string {
  return `(${t.params.join(", ")}) -> ${t.results.length === 1 ? t.results[0] : `(${t.results.join(", ")})`}`;
}

/** True when two function types are identical. */
export function sameFuncType(a: FuncType, b: FuncType): boolean {
  return a.params.join() === b.params.join() && a.results.join() === b.results.join();
}

function readSection(id: number, r: Reader, info: ModuleInfo): void {
  switch (id) {
    case 0: info.custom.push({ name: r.name(), bytes: r.rest() }); return;
    case 1: return r.vec(() => readRecOrType(r, info));
    case 2: return r.vec(() => readImport(r, info));
    case 3: return r.vec(() => { info.functions.push(typeAt(info, r.uleb())); });
    case 4: return r.vec(() => { readTableType(r); info.tables++; });
    case 5: return r.vec(() => { readLimits(r); info.memories++; });
    case 6: return r.vec(() => { info.globals.push(readGlobalType(r)); readConstExpr(r); });
    case 7: return r.vec(() => { info.exports.push({ name: r.name(), kind: externKind(r.byte()), index: r.uleb() }); });
    case 8: info.start = r.uleb(); return;
    case 9: return r.vec(() => { info.elements.push(readElement(r)); });
    case 10: r.pos = r.end; return;
    case 11: return r.vec(() => { info.data.push(readData(r)); });
    case 12: r.uleb(); return;
    case 13: return r.vec(() => { r.byte(); r.uleb(); info.tags++; });
    default: throw new WasmReadError(`unknown section id ${id}`);
  }
}

function readRecOrType(r: Reader, info: ModuleInfo): void {
  if (r.peek() === 0x4e) { r.byte(); r.vec(() => readSubType(r, info)); return; }
  readSubType(r, info);
}

function readSubType(r: Reader, info: ModuleInfo): void {
  const form = r.peek();
  if (form === 0x50 || form === 0x4f) { r.byte(); r.vec(() => r.uleb()); }
  const kind = r.byte();
  if (kind === 0x60) {
    const params: ValType[] = [];
    r.vec(() => params.push(readValType(r)));
    const results: ValType[] = [];
    r.vec(() => results.push(readValType(r)));
    info.types.push({ params, results });
  } else if (kind === 0x5f) {
    r.vec(() => { readStorageType(r); r.byte(); });
    info.types.push(null);
  } else if (kind === 0x5e) {
    readStorageType(r); r.byte();
    info.types.push(null);
  } else throw new WasmReadError(`unknown type form 0x${kind.toString(16)}`);
}

function readImport(r: Reader, info: ModuleInfo): void {
  const module = r.name();
  const name = r.name();
  const kind = externKind(r.byte());
  const entry: ImportEntry = { module, name, kind };
  if (kind === "function") { entry.func = typeAt(info, r.uleb()); info.functions.push(entry.func); }
  else if (kind === "table") { entry.table = readTableType(r); info.tables++; info.importedTables++; }
  else if (kind === "memory") entry.memory = readLimits(r);
  else if (kind === "global") { entry.global = readGlobalType(r); info.globals.push(entry.global); }
  else { r.byte(); r.uleb(); }
  info.imports.push(entry);
}

function readElement(r: Reader): Segment {
  const flags = r.uleb();
  if (flags > 7) throw new WasmReadError(`bad element segment flags ${flags}`);
  const passiveOrDeclarative = (flags & 1) !== 0;
  const explicitTable = (flags & 2) !== 0;
  const usesExprs = (flags & 4) !== 0;
  let target = 0;
  let offset: { value: number | null; global: number | null } = { value: null, global: null };
  if (!passiveOrDeclarative) {
    if (explicitTable) target = r.uleb();
    offset = readOffsetExpr(r);
  }
  if (passiveOrDeclarative || explicitTable) {
    if (usesExprs) readValType(r); else r.byte();
  }
  let size = 0;
  r.vec(() => { size++; if (usesExprs) readConstExpr(r); else r.uleb(); });
  const mode = !passiveOrDeclarative ? "active" : explicitTable ? "declarative" : "passive";
  return { mode, target, offset: offset.value, offsetGlobal: offset.global, size };
}

function readData(r: Reader): Segment {
  const flags = r.uleb();
  if (flags > 2) throw new WasmReadError(`bad data segment flags ${flags}`);
  if (flags === 1) { const size = r.uleb(); return { mode: "passive", target: 0, offset: null, size, bytes: r.take(size) }; }
  const target = flags === 2 ? r.uleb() : 0;
  const offset = readOffsetExpr(r);
  const size = r.uleb();
  return { mode: "active", target, offset: offset.value, offsetGlobal: offset.global, size, bytes: r.take(size) };
}

/** Reads a constant expression; returns its value when it is a lone i32.const. */
function readConstExpr(r: Reader): number | null {
  return readOffsetExpr(r).value;
}

/** Reads a constant expression: a lone i32.const's value, or a lone global.get's index. */
function readOffsetExpr(r: Reader): { value: number | null; global: number | null } {
  let value: number | null = null;
  let global: number | null = null;
  let count = 0;
  for (;;) {
    const op = r.byte();
    if (op === 0x0b) break;
    count++;
    switch (op) {
      case 0x41: value = r.sleb32(); break;
      case 0x42: r.sleb64(); break;
      case 0x43: r.skip(4); break;
      case 0x44: r.skip(8); break;
      case 0x23: global = r.uleb(); break;
      case 0xd2: r.uleb(); break;
      case 0xd0: readHeapType(r); break;
      case 0x6a: case 0x6b: case 0x6c: case 0x7c: case 0x7d: case 0x7e: break;
      case 0xfd: if (r.uleb() !== 12) throw new WasmReadError("unsupported constant expression"); r.skip(16); break;
      default: throw new WasmReadError(`unsupported constant expression opcode 0x${op.toString(16)}`);
    }
  }
  return count === 1 ? { value, global } : { value: null, global: null };
}

function readGlobalType(r: Reader): GlobalType {
  const type = readValType(r);
  const m = r.byte();
  if (m > 1) throw new WasmReadError("bad global mutability");
  return { type, mutable: m === 1 };
}

function readTableType(r: Reader): Limits & { type: ValType } {
  const type = readValType(r);
  return { type, ...readLimits(r) };
}

function readLimits(r: Reader): Limits {
  const flags = r.byte();
  if (flags > 7) throw new WasmReadError(`bad limits flags ${flags}`);
  const wide = (flags & 4) !== 0;
  const min = wide ? r.uleb64() : r.uleb();
  const max = flags & 1 ? (wide ? r.uleb64() : r.uleb()) : null;
  return { min, max, shared: (flags & 2) !== 0 };
}

const SIMPLE_TYPES: Record<number, string> = {
  0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128",
  0x70: "funcref", 0x6f: "externref", 0x6e: "anyref", 0x6d: "eqref", 0x6c: "i31ref",
  0x6b: "structref", 0x6a: "arrayref", 0x69: "exnref", 0x71: "nullref", 0x72: "nullexternref",
  0x73: "nullfuncref", 0x74: "nullexnref",
};

function readValType(r: Reader): ValType {
  const b = r.byte();
  const simple = SIMPLE_TYPES[b];
  if (simple) return simple;
  if (b === 0x63 || b === 0x64) return `(ref ${b === 0x63 ? "null " : ""}${readHeapType(r)})`;
  throw new WasmReadError(`unknown value type 0x${b.toString(16)}`);
}

function readStorageType(r: Reader): ValType {
  const b = r.peek();
  if (b === 0x78) { r.byte(); return "i8"; }
  if (b === 0x77) { r.byte(); return "i16"; }
  return readValType(r);
}

function readHeapType(r: Reader): string {
  const v = r.sleb32();
  if (v >= 0) return String(v);
  const abs = SIMPLE_TYPES[v & 0x7f];
  if (!abs) throw new WasmReadError(`unknown heap type ${v}`);
  return abs.replace(/ref$/, "");
}

function externKind(b: number): ExportEntry["kind"] {
  const k = (["function", "table", "memory", "global", "tag"] as const)[b];
  if (!k) throw new WasmReadError(`unknown external kind ${b}`);
  return k;
}

function typeAt(info: ModuleInfo, index: number): FuncType {
  const t = info.types[index];
  if (!t) throw new WasmReadError(`type index ${index} is not a function type`);
  return t;
}
