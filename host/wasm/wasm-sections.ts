// A module binary's top-level sections with their byte ranges, and appending a custom section.
// Byte-level and dependency-free: signatures need exact offsets, which readModule does not keep.

import { HotwasmError } from "../errors.js";

/** One top-level section: its id, its name if custom, where it lies (header included) and where its payload starts. */
export interface SectionRange {
  id: number;
  name: string | null;
  start: number;
  payload: number;
  end: number;
}

/** The sections of `bytes`, in order; throws E_INVALID_MODULE for a broken binary. */
export function listSections(bytes: Uint8Array): SectionRange[] {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new HotwasmError("E_INVALID_MODULE", "not a valid WebAssembly module: bad magic number");
  }
  const sections: SectionRange[] = [];
  let pos = 8;
  while (pos < bytes.length) {
    const start = pos;
    const id = bytes[pos++]!;
    const size = readUleb(bytes, pos);
    pos = size.next;
    const end = pos + size.value;
    if (end > bytes.length) throw new HotwasmError("E_INVALID_MODULE", `not a valid WebAssembly module: section ${id} runs past the end`);
    let name: string | null = null;
    let payload = pos;
    if (id === 0) {
      const len = readUleb(bytes, pos);
      payload = len.next + len.value;
      if (payload > end) throw new HotwasmError("E_INVALID_MODULE", "not a valid WebAssembly module: bad custom section name");
      name = new TextDecoder().decode(bytes.subarray(len.next, payload));
    }
    sections.push({ id, name, start, payload, end });
    pos = end;
  }
  return sections;
}

/** Returns `module` with a custom section `name` holding `payload` appended. */
export function appendCustomSection(module: Uint8Array, name: string, payload: Uint8Array): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const body = [...uleb(nameBytes.length), ...nameBytes];
  const header = [0x00, ...uleb(body.length + payload.length)];
  const out = new Uint8Array(module.length + header.length + body.length + payload.length);
  out.set(module, 0);
  out.set(header, module.length);
  out.set(body, module.length + header.length);
  out.set(payload, module.length + header.length + body.length);
  return out;
}

function readUleb(bytes: Uint8Array, pos: number): { value: number; next: number } {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    const b = bytes[pos++];
    if (b === undefined) break;
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return { value, next: pos };
  }
  throw new HotwasmError("E_INVALID_MODULE", "not a valid WebAssembly module: bad section size");
}

/** The unsigned LEB128 encoding of `value`. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}
