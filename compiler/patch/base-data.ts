// The static data of a base build as one image, searchable by content: a patch uses the base's
// own copy of an object it needs (a string literal, a static array) instead of bringing its own,
// when the base has one with exactly the same bytes (pack-data.ts).

import { readModule } from "../../host/wasm/wasm-reader.js";

/** The base's static data from address 0, with its 4-aligned words indexed. */
export class BaseImage {
  private readonly index = new Map<number, number[]>();

  private constructor(readonly bytes: Uint8Array, private readonly view: DataView) {
    for (let at = 0; at + 8 <= bytes.length; at += 4) {
      const key = this.keyAt(at);
      const list = this.index.get(key);
      if (list) list.push(at);
      else this.index.set(key, [at]);
    }
  }

  /** The image of `binary`'s active data segments at constant offsets. */
  static of(binary: Uint8Array): BaseImage {
    const segments = readModule(binary).data.filter((s) => s.mode === "active" && s.offset !== null && s.target === 0 && s.bytes);
    const end = segments.reduce((n, s) => Math.max(n, s.offset! + s.size), 0);
    const bytes = new Uint8Array(end);
    for (const s of segments) bytes.set(s.bytes!, s.offset!);
    return new BaseImage(bytes, new DataView(bytes.buffer));
  }

  /** Where the image holds exactly `wanted` (at a 4-aligned address), or null. */
  find(wanted: Uint8Array): number | null {
    if (wanted.length < 8) return null;
    const first = new DataView(wanted.buffer, wanted.byteOffset, wanted.byteLength);
    const candidates = this.index.get(keyOf(first.getUint32(0, true), first.getUint32(4, true))) ?? [];
    for (const at of candidates) {
      if (at + wanted.length <= this.bytes.length && sameBytes(this.bytes, at, wanted)) return at;
    }
    return null;
  }

  private keyAt(at: number): number {
    return keyOf(this.view.getUint32(at, true), this.view.getUint32(at + 4, true));
  }
}

const images = new Map<Uint8Array, BaseImage>();

/** The image of a base binary (kept for the last few bases). */
export function baseImageOf(binary: Uint8Array): BaseImage {
  let image = images.get(binary);
  if (!image) {
    image = BaseImage.of(binary);
    if (images.size >= 4) images.delete(images.keys().next().value!);
    images.set(binary, image);
  }
  return image;
}

/** A key of two words (a collision only costs a comparison). */
function keyOf(a: number, b: number): number {
  return a * 0x10000 + (b & 0xffff) + (b >>> 16) * 0x9e3779b1;
}

function sameBytes(image: Uint8Array, at: number, wanted: Uint8Array): boolean {
  for (let i = 0; i < wanted.length; i++) if (image[at + i] !== wanted[i]) return false;
  return true;
}
