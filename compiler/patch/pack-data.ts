// Chooses a patch's own static data: only the objects its code reaches (from the addresses in
// its code, through the pointers in the objects), and of those only what the base does not
// already hold. An object the base holds with the same bytes (pointers to objects the base holds
// included) is the base's own, by address; the rest is packed into the patch's data, which the
// host places in the arena and relocates.

import type { BaseImage } from "./base-data.js";

/** A relocation build's static data, relative to its memory base. */
export interface DataImage {
  bytes: Uint8Array;
  /** The build's data segments (each one object), sorted. */
  segments: { start: number; end: number }[];
  /** Offsets of words that hold an address into the data / a table index. */
  memoryWords: Set<number>;
  tableWords: Set<number>;
}

/** Where an address of the build went. */
export type Placed = { base: true; address: number } | { base: false; offset: number };

/** The patch's own data and where every object went. */
export interface PackedData {
  bytes: Uint8Array;
  /** Offsets of the own data's words holding an address into it / a table index (the build's). */
  memoryRelocs: number[];
  tableRelocs: number[];
  /** Where address `offset` of the build is now. */
  place(offset: number): Placed;
}

/** Objects with this header (BLOCK + OBJECT) are managed: rtId at 12, rtSize at 16, payload at 20. */
const HEADER = 20;

/** What packing needs to know of the base. */
export interface PackBase {
  /** Its static data, searched for objects to share (null: share nothing). */
  image: BaseImage | null;
  /** Bounds a managed object's runtime id (the base's class count). */
  classCount: number;
  /** Where the base's static data starts (its --memoryBase). */
  memoryBase: number;
}

/**
 * Packs what `roots` (addresses used by the code) reach. An address outside every object (asc's
 * stack-overflow message, laid out after the heap base) is the base's address at the same offset.
 */
export function packData(image: DataImage, roots: readonly number[], pack: PackBase): PackedData {
  const view = new DataView(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength);
  const segmentAt = (offset: number) => findSegment(image.segments, offset);
  const base = pack.image;
  const classCount = pack.classCount;
  const shared = new Map<number, number | null>();
  const open = new Set<number>();
  const wordsOf = (seg: { start: number; end: number }) => {
    const out: number[] = [];
    for (let at = seg.start + ((4 - (seg.start % 4)) % 4); at + 4 <= seg.end; at += 4) if (image.memoryWords.has(at) || image.tableWords.has(at)) out.push(at);
    return out;
  };
  // The base's address of the segment's object, or null when the patch must bring its own.
  const shareOf = (seg: { start: number; end: number }): number | null => {
    if (shared.has(seg.start)) return shared.get(seg.start)!;
    if (!base || open.has(seg.start) || !isManaged(view, seg, classCount)) return null;
    open.add(seg.start);
    // The object itself: its header and payload, not the padding after it.
    const wanted = image.bytes.slice(seg.start, seg.start + HEADER + view.getUint32(seg.start + 16, true));
    const wantedView = new DataView(wanted.buffer);
    let ok = true;
    for (const at of wordsOf(seg)) {
      if (at + 4 > seg.start + wanted.length) { ok = false; break; }
      const target = image.tableWords.has(at) ? null : segmentAt(view.getUint32(at, true));
      const address = target ? shareOf(target) : null;
      if (address === null) { ok = false; break; }
      wantedView.setUint32(at - seg.start, address + view.getUint32(at, true) - target!.start, true);
    }
    open.delete(seg.start);
    const found = ok ? base.find(wanted) : null;
    shared.set(seg.start, found);
    return found;
  };
  // The own objects: those reached and not shared, in the build's order.
  const own = new Set<number>();
  const visit = (seg: { start: number; end: number }) => {
    if (own.has(seg.start) || shareOf(seg) !== null) return;
    own.add(seg.start);
    for (const at of wordsOf(seg)) {
      if (!image.memoryWords.has(at)) continue;
      const target = segmentAt(view.getUint32(at, true));
      if (target) visit(target);
    }
  };
  for (const r of roots) {
    const seg = segmentAt(r);
    if (seg) visit(seg);
  }
  const moved = new Map<number, number>();
  let size = 0;
  for (const seg of image.segments) {
    if (!own.has(seg.start)) continue;
    const start = size + ((seg.start - size) % 16 + 16) % 16; // the same alignment modulo 16
    moved.set(seg.start, start);
    size = start + (seg.end - seg.start);
  }
  const bytes = new Uint8Array(Math.ceil(size / 16) * 16);
  const out = new DataView(bytes.buffer);
  const memoryRelocs: number[] = [];
  const tableRelocs: number[] = [];
  const place = (offset: number): Placed => {
    const seg = segmentAt(offset);
    if (!seg) return { base: true, address: pack.memoryBase + offset };
    const address = shareOf(seg);
    return address !== null ? { base: true, address: address + offset - seg.start } : { base: false, offset: moved.get(seg.start)! + offset - seg.start };
  };
  for (const seg of image.segments) {
    const to = moved.get(seg.start);
    if (to === undefined) continue;
    bytes.set(image.bytes.subarray(seg.start, seg.end), to);
    for (const at of wordsOf(seg)) {
      const where = to + at - seg.start;
      if (image.tableWords.has(at)) { tableRelocs.push(where); continue; }
      const p = place(view.getUint32(at, true));
      out.setUint32(where, p.base ? p.address : p.offset, true);
      if (!p.base) memoryRelocs.push(where);
    }
  }
  return { bytes, memoryRelocs, tableRelocs, place };
}

/** A static managed object: a known runtime id and a payload size that fills the segment (up to its padding). */
function isManaged(view: DataView, seg: { start: number; end: number }, classCount: number): boolean {
  if (seg.end - seg.start < HEADER) return false;
  const padding = seg.end - seg.start - HEADER - view.getUint32(seg.start + 16, true);
  return view.getUint32(seg.start + 12, true) < classCount && padding >= 0 && padding < 16;
}

/** The segment holding `offset` (an address just past a segment's end belongs to it). */
function findSegment(segments: { start: number; end: number }[], offset: number): { start: number; end: number } | null {
  let lo = 0;
  let hi = segments.length - 1;
  let best: { start: number; end: number } | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (segments[mid]!.start <= offset) { best = segments[mid]!; lo = mid + 1; } else hi = mid - 1;
  }
  return best && offset <= best.end ? best : null;
}
