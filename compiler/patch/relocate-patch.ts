// Makes a patch position-independent. The patch is built twice, with static data at two memory
// bases MEMORY_DELTA apart and table entries TABLE_DELTA apart; every constant that differs by
// exactly one of the deltas is an address (or a table index). Such constants in code become
// `memory_base + k` (or `table_base + k`), globals initialised with one are set by `hotwasm:init`,
// and such words in the data are listed for the host to add the base to at load time. Only the
// data and table entries the remaining code reaches are kept, and data the base already holds is
// used from the base (pack-data.ts).

import binaryen from "binaryen";
import { HotwasmError } from "../../host/errors.js";
import { PATCH_EXPORTS } from "./patch-transform.js";
import { validateOrThrow, type Binaryen, type BinaryenModule } from "../common/binaryen-util.js";
import type { ProgramCut } from "./cut-program.js";
import { baseImageOf } from "./base-data.js";
import { packData, type DataImage } from "./pack-data.js";
import { findRefs, MB, rewriteRefs, TB } from "./patch-refs.js";

/** How far apart the two builds put their data and table entries. */
export const MEMORY_DELTA = 0x100000;
export const TABLE_DELTA = 0x3000;
/** Import names the host provides. */
export const LINK_MODULE = "hotwasm:link";

/** A relocated patch module and what the host needs to place it. */
export interface RelocatedPatch {
  binary: Uint8Array;
  data: { size: number; memoryRelocs: number[]; tableRelocs: number[] };
  tableSize: number;
  /** Offset of the RTTI table in the patch's data, when it brings one. */
  rttiOffset: number | null;
}

/** How to finish the module. */
export interface RelocateOptions {
  optimize: number;
  shrink: number;
  /** Keep the build's RTTI table (a patch adding classes brings the whole table). */
  keepRtti: boolean;
  /** The base build, whose static data the patch uses where it can; none: the patch brings all it uses. */
  base?: Uint8Array;
  /** Number of classes the base has (bounds a shared object's runtime id). */
  classCount?: number;
  /** Where the base's static data starts. */
  baseMemoryBase?: number;
}

/** Builds the final patch from the cuts of the two builds. */
export function relocatePatch(a: ProgramCut, b: ProgramCut, o: RelocateOptions): RelocatedPatch {
  const { text, globalRelocs } = relocateText(a, b);
  const image = mergeData(a, b);
  const base = o.base ? baseImageOf(o.base) : null;
  const bin = binaryen as unknown as Binaryen;
  // The table entries kept decide which functions stay, and those which data: grow to a fixed point.
  let kept: number[] = [];
  for (let round = 0; ; round++) {
    const module = bin.parseText(text);
    try {
      module.setFeatures(a.features);
      initRelocatedGlobals(bin, module, globalRelocs);
      addElements(bin, module, kept.map((k) => elementName(a, k)));
      module.runPasses(["remove-unused-module-elements"]);
      const refs = findRefs(bin, module);
      const roots = [...refs.memory.values()];
      if (o.keepRtti && a.rttiOffset !== null) roots.push(a.rttiOffset);
      const packed = packData(image, roots, { image: base, classCount: o.classCount ?? 0, memoryBase: o.baseMemoryBase ?? 0 });
      const wanted = new Set([...refs.table.values(), ...packed.tableRelocs.map((at) => readWord(packed.bytes, at))]);
      if ([...wanted].some((k) => !kept.includes(k))) {
        if (round > 64) throw relocationError("the patch's table entries do not settle");
        kept = [...new Set([...kept, ...wanted])].sort((x, y) => x - y);
        continue;
      }
      const index = new Map(kept.map((k, i) => [k, i]));
      rewriteRefs(bin, module, refs, packed, index);
      for (const at of packed.tableRelocs) writeWord(packed.bytes, at, index.get(readWord(packed.bytes, at))!);
      placeData(bin, module, packed.bytes);
      finishModule(bin, module, o);
      const rtti = o.keepRtti && a.rttiOffset !== null ? packed.place(a.rttiOffset) : null;
      return {
        binary: module.emitBinary(),
        data: { size: packed.bytes.length, memoryRelocs: packed.memoryRelocs, tableRelocs: packed.tableRelocs },
        tableSize: kept.length,
        rttiOffset: rtti && !rtti.base ? rtti.offset : null,
      };
    } finally {
      module.dispose();
    }
  }
}

const CONST = /\(i32\.const (-?\d+)\)/g;

/** Rewrites address constants in code; returns globals whose initialiser is an address. */
function relocateText(a: ProgramCut, b: ProgramCut): { text: string; globalRelocs: Map<string, { base: string; offset: number }> } {
  const la = a.text.split("\n");
  const lb = b.text.split("\n");
  if (la.length !== lb.length) throw relocationError("the two builds differ in shape");
  const memoryDelta = b.memoryBase - a.memoryBase;
  const globalRelocs = new Map<string, { base: string; offset: number }>();
  const out: string[] = [];
  for (let i = 0; i < la.length; i++) {
    const x = la[i]!;
    const y = lb[i]!;
    if (x === y) { out.push(x); continue; }
    const xs = [...x.matchAll(CONST)];
    const ys = [...y.matchAll(CONST)];
    if (x.replace(CONST, "#") !== y.replace(CONST, "#") || xs.length !== ys.length) throw relocationError(`line ${i + 1}: ${x.trim()}`);
    let k = 0;
    const rewritten = x.replace(CONST, (whole, value: string) => {
      const va = Number(value);
      const d = (Number(ys[k++]![1]) - va) | 0;
      if (d === 0) return whole;
      const base = d === memoryDelta ? MB : d === TABLE_DELTA ? TB : null;
      if (!base) throw relocationError(`a constant moves by ${d}, neither an address nor a table index: ${x.trim()}`);
      const offset = base === MB ? ((va >>> 0) - a.memoryBase) : va;
      const global = /^\s*\(global \$(\S+) /.exec(x);
      if (global) { globalRelocs.set(global[1]!, { base, offset }); return whole; }
      return `(i32.add (global.get $${base}) (i32.const ${offset}))`;
    });
    out.push(rewritten);
  }
  const at = out.findIndex((l) => l.startsWith("(module"));
  out.splice(at + 1, 0, ` (import "${LINK_MODULE}" "memory_base" (global $${MB} i32))`, ` (import "${LINK_MODULE}" "table_base" (global $${TB} i32))`);
  return { text: out.join("\n"), globalRelocs };
}

/** Globals set from an address become mutable and are set by hotwasm:init, which runs first. */
function initRelocatedGlobals(b: Binaryen, module: BinaryenModule, relocs: Map<string, { base: string; offset: number }>): void {
  if (relocs.size === 0) return;
  const sets: number[] = [];
  for (const [name, r] of relocs) {
    const info = b.getGlobalInfo(module.getGlobal(name));
    module.removeGlobal(name);
    module.addGlobal(name, info.type, true, module.i32.const(0));
    sets.push(module.global.set(name, module.i32.add(module.global.get(r.base, b.i32), module.i32.const(r.offset))));
  }
  const existing = module.getFunction(PATCH_EXPORTS.init);
  if (existing) {
    const body = b.getFunctionInfo(existing).body;
    b.Function.setBody(existing, module.block(null, [...sets, body]));
  } else {
    module.addFunction(PATCH_EXPORTS.init, b.none, b.none, [], module.block(null, sets));
    module.addFunctionExport(PATCH_EXPORTS.init, PATCH_EXPORTS.init);
  }
}

/** One data image from the first build's memory base, and the words that hold addresses or table indices. */
function mergeData(a: ProgramCut, b: ProgramCut): DataImage {
  const rel = (s: { offset: number }, base: number) => s.offset - base;
  const end = Math.max(0, ...a.data.map((s) => rel(s, a.memoryBase) + s.bytes.length));
  const bytes = new Uint8Array(end);
  const segments = a.data.map((s) => ({ start: rel(s, a.memoryBase), end: rel(s, a.memoryBase) + s.bytes.length })).sort((x, y) => x.start - y.start);
  for (const s of a.data) bytes.set(s.bytes, rel(s, a.memoryBase));
  const other = new Uint8Array(bytes.length);
  for (const s of b.data) {
    const at = rel(s, b.memoryBase);
    if (at < 0 || at + s.bytes.length > other.length) throw relocationError("the data segments differ between the two builds");
    other.set(s.bytes, at);
  }
  const va = new DataView(bytes.buffer);
  const vb = new DataView(other.buffer);
  const memoryWords = new Set<number>();
  const tableWords = new Set<number>();
  for (let i = 0; i + 4 <= bytes.length; i += 4) {
    const d = (vb.getUint32(i, true) - va.getUint32(i, true)) | 0;
    if (d === 0) continue;
    if (d === b.memoryBase - a.memoryBase) {
      memoryWords.add(i);
      va.setUint32(i, va.getUint32(i, true) - a.memoryBase, true);
    } else if (d === TABLE_DELTA) tableWords.add(i);
    else throw relocationError(`data word at ${i} moves by ${d}`);
  }
  return { bytes, segments, memoryWords, tableWords };
}

/** The function at table index `k` of the first build. */
function elementName(a: ProgramCut, k: number): string {
  for (const seg of a.elements) if (k >= seg.offset && k < seg.offset + seg.names.length) return seg.names[k - seg.offset]!;
  throw relocationError(`the patch refers to table index ${k}, which holds no function`);
}

function placeData(b: Binaryen, module: BinaryenModule, bytes: Uint8Array): void {
  const segments = bytes.length === 0 ? [] : [{ name: "hotwasm:data", data: bytes, passive: false, offset: module.global.get(MB, b.i32) }];
  module.setMemory(0, -1, null, segments, false, false, "0");
  module.addMemoryImport("0", "env", "memory");
}

/** The patch's function references go into the base's table at table_base, in this order. */
function addElements(b: Binaryen, module: BinaryenModule, names: string[]): void {
  if (module.getNumTables() === 0) module.addTable("0", 0, -1);
  const table = b.getTableInfo(module.getTableByIndex(0)).name;
  if (names.length > 0) module.addActiveElementSegment(table, "hotwasm:elements", names, module.global.get(TB, b.i32));
  b.Table.setInitial(module.getTable(table), 0);
  b.Table.setMax(module.getTable(table), 0xffffffff);
  module.addTableImport(table, "env", "table");
}

/** Optimises at the base's levels and validates. */
function finishModule(b: Binaryen, module: BinaryenModule, levels: { optimize: number; shrink: number }): void {
  const previous = { optimize: b.getOptimizeLevel(), shrink: b.getShrinkLevel() };
  try {
    b.setOptimizeLevel(levels.optimize);
    b.setShrinkLevel(levels.shrink);
    if (levels.optimize > 0 || levels.shrink > 0) module.optimize();
  } finally {
    b.setOptimizeLevel(previous.optimize);
    b.setShrinkLevel(previous.shrink);
  }
  validateOrThrow(module, "hotwasm patch", b);
}

function readWord(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true);
}

function writeWord(bytes: Uint8Array, at: number, value: number): void {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, value, true);
}

function relocationError(detail: string): HotwasmError {
  return new HotwasmError("E_RELOCATION", `cannot relocate the patch: ${detail}`);
}
