// A bounds-checked reader of WebAssembly's binary encoding (bytes, LEB128 integers, names,
// vectors); every read past the end throws a WasmReadError.

/** Thrown for bytes that are not a readable module. */
export class WasmReadError extends Error {
  override readonly name = "WasmReadError";
}

/** Reads one binary; positions are absolute in `bytes`. */
export class Reader {
  readonly end: number;
  constructor(private readonly bytes: Uint8Array, public pos = 0) {
    this.end = bytes.length;
  }
  done(): boolean { return this.pos >= this.end; }
  peek(): number {
    if (this.pos >= this.end) throw new WasmReadError("unexpected end");
    return this.bytes[this.pos]!;
  }
  byte(): number { const b = this.peek(); this.pos++; return b; }
  skip(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new WasmReadError("unexpected end");
    this.pos += n;
  }
  /** The next `n` bytes (a view, not a copy). */
  take(n: number): Uint8Array { const at = this.pos; this.skip(n); return this.bytes.subarray(at, at + n); }
  rest(): Uint8Array { const out = this.bytes.slice(this.pos, this.end); this.pos = this.end; return out; }
  u32le(): number {
    this.skip(4);
    const b = this.bytes;
    const p = this.pos - 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }
  uleb(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) throw new WasmReadError("integer too large");
        return result;
      }
    }
    throw new WasmReadError("integer representation too long");
  }
  uleb64(): number {
    let result = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new WasmReadError("integer representation too long");
  }
  sleb32(): number {
    let result = 0;
    let shift = 0;
    let b: number;
    do {
      if (shift >= 35) throw new WasmReadError("integer representation too long");
      b = this.byte();
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    if (shift < 32 && b & 0x40) result |= -1 << shift;
    return result | 0;
  }
  sleb64(): void {
    for (let i = 0; i < 10; i++) if ((this.byte() & 0x80) === 0) return;
    throw new WasmReadError("integer representation too long");
  }
  name(): string {
    const len = this.uleb();
    this.skip(len);
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(this.bytes.subarray(this.pos - len, this.pos));
    } catch (cause) {
      throw new WasmReadError("name is not valid UTF-8", { cause });
    }
  }
  vec(each: () => void): void {
    const n = this.uleb();
    if (n > this.end - this.pos) throw new WasmReadError("vector longer than its section");
    for (let i = 0; i < n; i++) each();
  }
}
