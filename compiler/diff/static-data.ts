// The static data of an analysis build, described by content rather than by address: a pointer
// into it becomes a digest of the object it points to (pointers inside that object described the
// same way, a function object's table index by the function's name), plus the offset into it.
// So a literal that only moved, or an array whose buffer moved, describes the same.

import type { Program } from "assemblyscript";
import { createHash } from "node:crypto";
import { dataSegments, type Binaryen, type BinaryenModule } from "../common/binaryen-util.js";

interface Span { start: number; end: number; bytes: Uint8Array }

/** Offsets of a static managed object's header fields from its segment's start (BLOCK + OBJECT). */
const RT_ID_AT = 12;
const PAYLOAD_AT = 20;
const CONST = /\(i32\.const (-?\d+)\)/g;

/** The static data at and above `base` of a compiled module. */
export class StaticData {
  private readonly spans: Span[];
  private readonly end: number;
  private readonly described = new Map<number, string>();
  private readonly functionClasses: Set<number>;
  private readonly tableNames = new Map<number, string>();

  constructor(b: Binaryen, module: BinaryenModule, program: Program, private readonly base: number) {
    this.spans = dataSegments(module)
      .filter((s) => !s.passive && s.offset !== null && s.offset >= base)
      .map((s) => ({ start: s.offset!, end: s.offset! + s.data.byteLength, bytes: new Uint8Array(s.data) }))
      .sort((x, y) => x.start - y.start);
    this.end = this.spans.reduce((n, s) => Math.max(n, s.end), base);
    this.functionClasses = new Set();
    for (const [id, cls] of program.managedClasses as unknown as Map<number, { internalName: string }>) {
      if (cls.internalName.startsWith("~lib/function/Function<")) this.functionClasses.add(id);
    }
    for (let i = 0; i < module.getNumElementSegments(); i++) {
      const seg = b.getElementSegmentInfo(module.getElementSegmentByIndex(i));
      const offset = b.getExpressionInfo(seg.offset) as { id: number; value?: number };
      if (offset.id === b.ConstId) seg.data.forEach((name, k) => this.tableNames.set(offset.value! + k, name));
    }
  }

  /** True when `value` points into the data. */
  holds(value: number): boolean {
    const v = value >>> 0;
    return v >= this.base && v < this.end;
  }

  /** `text` with each `(i32.const ADDRESS)` described (or written as `mask`, when given). */
  normalise(text: string, mask?: string): string {
    return text.replace(CONST, (whole, v: string) => (this.holds(Number(v)) ? `(i32.const @${mask ?? this.describe(Number(v) >>> 0)})` : whole));
  }

  /** What `address` points to: the digest of its object and the offset into it. */
  describe(address: number): string {
    const span = this.spanAt(address);
    if (!span) return `raw+${address - this.base}`;
    return `${this.describeSpan(span, new Set())}+${address - span.start}`;
  }

  private describeSpan(span: Span, open: Set<number>): string {
    const known = this.described.get(span.start);
    if (known) return known;
    if (open.has(span.start)) return "cycle";
    open.add(span.start);
    const view = new DataView(span.bytes.buffer, span.bytes.byteOffset, span.bytes.byteLength);
    const rtId = span.bytes.length >= PAYLOAD_AT ? view.getUint32(RT_ID_AT, true) : -1;
    const isFunction = this.functionClasses.has(rtId) && span.bytes.length >= PAYLOAD_AT + 4;
    const parts: string[] = [`rt${rtId}`];
    let last = 0;
    // Words at 4-aligned addresses; a pointer into the data is described, not copied.
    for (let at = (4 - (span.start % 4)) % 4; at + 4 <= span.bytes.length; at += 4) {
      const word = view.getUint32(at, true);
      const tableIndex = isFunction && at === PAYLOAD_AT;
      if (!tableIndex && !this.holds(word)) continue;
      parts.push(hex(span.bytes.subarray(last, at)));
      if (tableIndex) parts.push(`fn:${this.tableNames.get(word) ?? word}`);
      else {
        const target = this.spanAt(word);
        parts.push(target ? `@${this.describeSpan(target, open)}+${word - target.start}` : `@raw+${word - this.base}`);
      }
      last = at + 4;
    }
    parts.push(hex(span.bytes.subarray(last)));
    open.delete(span.start);
    const out = createHash("sha256").update(parts.join("|")).digest("hex").slice(0, 16);
    this.described.set(span.start, out);
    return out;
  }

  /** The segment holding `address` (a pointer just past a segment's end belongs to it, e.g. an empty string's). */
  private spanAt(address: number): Span | null {
    let lo = 0;
    let hi = this.spans.length - 1;
    let best: Span | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.spans[mid]!;
      if (s.start <= address) { best = s; lo = mid + 1; } else hi = mid - 1;
    }
    return best && address <= best.end ? best : null;
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}
