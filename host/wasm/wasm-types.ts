// The parts of a WebAssembly module the host reads (wasm-reader.ts), as plain data.

/** A value type as text: "i32", "f64", "funcref", "(ref null 3)", ... */
export type ValType = string;

/** A function type. */
export interface FuncType {
  params: ValType[];
  results: ValType[];
}

/** A global's type. */
export interface GlobalType {
  type: ValType;
  mutable: boolean;
}

/** Limits of a memory or table. */
export interface Limits {
  min: number;
  max: number | null;
  shared: boolean;
}

/** One import. Exactly the field of its kind is set. */
export interface ImportEntry {
  module: string;
  name: string;
  kind: "function" | "table" | "memory" | "global" | "tag";
  func?: FuncType;
  global?: GlobalType;
  memory?: Limits;
  table?: Limits & { type: ValType };
}

/** One export. */
export interface ExportEntry {
  name: string;
  kind: "function" | "table" | "memory" | "global" | "tag";
  index: number;
}

/** A data or element segment; `offset` is the constant offset of an active segment, when known,
 * `offsetGlobal` the global index when the offset is a lone `global.get`. */
export interface Segment {
  mode: "active" | "passive" | "declarative";
  target: number;
  offset: number | null;
  offsetGlobal?: number | null;
  size: number;
  /** A data segment's bytes (a view into the module's bytes). */
  bytes?: Uint8Array;
}

/** What the host knows about a module after reading it. */
export interface ModuleInfo {
  types: (FuncType | null)[];
  imports: ImportEntry[];
  /** Types of all functions by function index (imports first). */
  functions: FuncType[];
  /** Types of all globals by global index (imports first). */
  globals: GlobalType[];
  tables: number;
  importedTables: number;
  /** Memories and tags the module defines itself (imported ones not counted). */
  memories: number;
  tags: number;
  exports: ExportEntry[];
  start: number | null;
  data: Segment[];
  elements: Segment[];
  custom: { name: string; bytes: Uint8Array }[];
}
