// Makes a patch position-independent. The patch is built twice, with static data at 0 and at
// MEMORY_DELTA and table entries at 0 and at TABLE_DELTA; every constant that differs by exactly
// one of the deltas is an address (or a table index). Such constants in code become
// `memory_base + k` (or `table_base + k`), globals initialised with one are set by `hotwasm:init`,
// and such words in the data are listed for the host to add the base to at load time.

import binaryen from "binaryen";
import { HotwasmError } from "../../host/errors.js";
import { PATCH_EXPORTS, type CutResult } from "./patch-transform.js";
import { validateOrThrow, type Binaryen, type BinaryenModule } from "../common/binaryen-util.js";

/** Where the second build puts its data and table entries. */
export const MEMORY_DELTA = 0x100000;
export const TABLE_DELTA = 0x3000;
/** Import names the host provides. */
export const LINK_MODULE = "hotwasm:link";
const MB = "hotwasm:memory_base";
const TB = "hotwasm:table_base";

/** A relocated patch module and what the host needs to place it. */
export interface RelocatedPatch {
  binary: Uint8Array;
  data: { size: number; memoryRelocs: number[]; tableRelocs: number[] };
  tableSize: number;
}

/** Builds the final patch from the cuts of the two builds; optimises at the given levels. */
export function relocatePatch(a: CutResult, b: CutResult, levels: { optimize: number; shrink: number }): RelocatedPatch {
  const { text, globalRelocs } = relocateText(a.text, b.text);
  const bin = binaryen as unknown as Binaryen;
  const module = bin.parseText(text);
  try {
    module.setFeatures(a.features);
    initRelocatedGlobals(bin, module, globalRelocs);
    const data = mergeData(a.data, b.data);
    placeData(bin, module, data.bytes);
    const tableSize = placeElements(bin, module, a.elements);
    const previous = { optimize: bin.getOptimizeLevel(), shrink: bin.getShrinkLevel() };
    try {
      bin.setOptimizeLevel(levels.optimize);
      bin.setShrinkLevel(levels.shrink);
      if (levels.optimize > 0 || levels.shrink > 0) module.optimize();
    } finally {
      bin.setOptimizeLevel(previous.optimize);
      bin.setShrinkLevel(previous.shrink);
    }
    validateOrThrow(module, "hotwasm patch", bin);
    return { binary: module.emitBinary(), data: { size: data.bytes.length, memoryRelocs: data.memoryRelocs, tableRelocs: data.tableRelocs }, tableSize };
  } finally {
    module.dispose();
  }
}

const CONST = /\(i32\.const (-?\d+)\)/g;

/** Rewrites address constants in code; returns globals whose initialiser is an address. */
function relocateText(a: string, b: string): { text: string; globalRelocs: Map<string, { base: string; offset: number }> } {
  const la = a.split("\n");
  const lb = b.split("\n");
  if (la.length !== lb.length) throw relocationError("the two builds differ in shape");
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
      const base = baseOf(Number(ys[k++]![1]) - va, x);
      if (!base) return whole;
      const global = /^\s*\(global \$(\S+) /.exec(x);
      if (global) { globalRelocs.set(global[1]!, { base, offset: va }); return whole; }
      return `(i32.add (global.get $${base}) (i32.const ${va}))`;
    });
    out.push(rewritten);
  }
  const at = out.findIndex((l) => l.startsWith("(module"));
  out.splice(at + 1, 0, ` (import "${LINK_MODULE}" "memory_base" (global $${MB} i32))`, ` (import "${LINK_MODULE}" "table_base" (global $${TB} i32))`);
  return { text: out.join("\n"), globalRelocs };
}

function baseOf(delta: number, line: string): string | null {
  const d = delta | 0;
  if (d === 0) return null;
  if (d === MEMORY_DELTA) return MB;
  if (d === TABLE_DELTA) return TB;
  throw relocationError(`a constant moves by ${d}, neither an address nor a table index: ${line.trim()}`);
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

/** One data image from 0, and the words that hold addresses or table indices. */
function mergeData(a: CutResult["data"], b: CutResult["data"]) {
  const end = Math.max(0, ...a.map((s) => s.offset + s.bytes.length));
  const bytes = new Uint8Array(Math.ceil(end / 16) * 16);
  for (const s of a) bytes.set(s.bytes, s.offset);
  const other = new Uint8Array(bytes.length);
  for (const s of b) {
    const at = s.offset - MEMORY_DELTA;
    if (at < 0 || at + s.bytes.length > other.length) throw relocationError("the data segments differ between the two builds");
    other.set(s.bytes, at);
  }
  const va = new DataView(bytes.buffer);
  const vb = new DataView(other.buffer);
  const memoryRelocs: number[] = [];
  const tableRelocs: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) {
    const d = (vb.getUint32(i, true) - va.getUint32(i, true)) | 0;
    if (d === 0) continue;
    if (d === MEMORY_DELTA) memoryRelocs.push(i);
    else if (d === TABLE_DELTA) tableRelocs.push(i);
    else throw relocationError(`data word at ${i} moves by ${d}`);
  }
  return { bytes, memoryRelocs, tableRelocs };
}

function placeData(b: Binaryen, module: BinaryenModule, bytes: Uint8Array): void {
  const segments = bytes.length === 0 ? [] : [{ name: "hotwasm:data", data: bytes, passive: false, offset: module.global.get(MB, b.i32) }];
  module.setMemory(0, -1, null, segments, false, false, "0");
  module.addMemoryImport("0", "env", "memory");
}

/** The patch's function references go into the base's table at table_base; returns how many. */
function placeElements(b: Binaryen, module: BinaryenModule, elements: CutResult["elements"]): number {
  if (module.getNumTables() === 0) module.addTable("0", 0, -1);
  const table = b.getTableInfo(module.getTableByIndex(0)).name;
  const names: string[] = [];
  const sorted = [...elements].sort((x, y) => x.offset - y.offset);
  if (sorted.length > 0 && sorted[0]!.offset > 0) {
    // Slot 0 of the patch's range stands for asc's reserved null index; fill it with a stub.
    module.addFunction("hotwasm:unused_slot", b.none, b.none, [], module.unreachable());
    while (names.length < sorted[0]!.offset) names.push("hotwasm:unused_slot");
  }
  for (const seg of sorted) {
    if (seg.offset !== names.length) throw relocationError("the patch's table entries are not contiguous from 0");
    names.push(...seg.names);
  }
  if (names.length > 0) module.addActiveElementSegment(table, "hotwasm:elements", names, module.global.get(TB, b.i32));
  b.Table.setInitial(module.getTable(table), 0);
  b.Table.setMax(module.getTable(table), 0xffffffff);
  module.addTableImport(table, "env", "table");
  return names.length;
}

function relocationError(detail: string): HotwasmError {
  return new HotwasmError("E_RELOCATION", `cannot relocate the patch: ${detail}`);
}
