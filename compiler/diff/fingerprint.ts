// Fingerprints of a compiled program, for `hotwasm diff`: every function's code, every global's
// type and initialiser, every class's id and layout. A rebuild moves static data, so each
// constant that points into the static data is replaced by a digest of what it points to; the
// analysis builds put static data far above any ordinary constant to make that unambiguous.

import type { Program } from "assemblyscript";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { dataSegments, typeNames, type Binaryen, type BinaryenModule } from "../common/binaryen-util.js";
import { describeClasses, type ClassInfo } from "../common/class-layout.js";

/** Where the analysis builds put their static data. */
export const ANALYSIS_MEMORY_BASE = 0x4000000;

/** What `hotwasm diff` compares between two builds. */
export interface Fingerprint {
  functions: Map<string, { code: string; type: string; signature: string }>;
  globals: Map<string, { type: string; mutable: boolean; init: string }>;
  classes: ClassInfo[];
  /** The migration function (`// @hotwasm-migrate`), if the program has one. */
  migrate?: string | null;
}

/** Fingerprints a module compiled (unoptimised) with static data at ANALYSIS_MEMORY_BASE. */
export function fingerprintModule(b: Binaryen, module: BinaryenModule, program: Program): Fingerprint {
  const data = dataImage(module);
  const normalise = (text: string) =>
    text.replace(/\(i32\.const (-?\d+)\)/g, (whole, v: string) => {
      const n = Number(v) >>> 0;
      return n >= ANALYSIS_MEMORY_BASE && n < ANALYSIS_MEMORY_BASE + data.length ? `(i32.const @${describeData(data, n - ANALYSIS_MEMORY_BASE)})` : whole;
    });
  const functions: Fingerprint["functions"] = new Map();
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const f = b.getFunctionInfo(module.getFunctionByIndex(i));
    if (f.module) continue;
    const type = `(${typeNames(b, f.params).join()}) -> (${typeNames(b, f.results).join()})`;
    const vars = f.vars.map((v) => typeNames(b, v).join()).join();
    const element = program.instancesByName.get(f.name) as { signature?: { toString(): string } } | undefined;
    functions.set(f.name, { code: `${vars}\n${normalise(b.emitText(f.body))}`, type, signature: element?.signature?.toString() ?? type });
  }
  const globals: Fingerprint["globals"] = new Map();
  for (let i = 0; i < module.getNumGlobals(); i++) {
    const g = b.getGlobalInfo(module.getGlobalByIndex(i));
    if (g.module) continue;
    globals.set(g.name, { type: typeNames(b, g.type).join(), mutable: g.mutable, init: normalise(b.emitText(g.init)) });
  }
  return { functions, globals, classes: describeClasses(program) };
}

/** The static data from ANALYSIS_MEMORY_BASE on, as one image. */
function dataImage(module: BinaryenModule): Uint8Array {
  const segments = dataSegments(module).filter((s) => !s.passive && s.offset !== null);
  const end = Math.max(ANALYSIS_MEMORY_BASE, ...segments.map((s) => s.offset! + s.data.byteLength));
  const image = new Uint8Array(end - ANALYSIS_MEMORY_BASE);
  for (const s of segments) if (s.offset! >= ANALYSIS_MEMORY_BASE) image.set(new Uint8Array(s.data), s.offset! - ANALYSIS_MEMORY_BASE);
  return image;
}

/** A digest of the static object at `offset` (runtime id and payload), or of the bytes there. */
function describeData(image: Uint8Array, offset: number): string {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (offset >= 8) {
    const rtId = view.getUint32(offset - 8, true);
    const size = view.getUint32(offset - 4, true);
    if (offset + size <= image.length && size < 1 << 24) return `obj${rtId}:${digest(image.subarray(offset, offset + size))}`;
  }
  return `raw:${digest(image.subarray(offset, Math.min(image.length, offset + 32)))}`;
}

function digest(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes)).slice(0, 16);
}
