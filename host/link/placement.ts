// Where patches live: ranges of the base's patch arena (static data) and of its table (function
// references). Ranges are owned by a patch until the host releases it.

/** A half-open range [start, end) owned by a patch. */
export interface OwnedRange {
  start: number;
  end: number;
  owner: string;
}

/** Hands out 16-byte aligned ranges of the patch arena, first fit. */
export class ArenaAllocator {
  private readonly used: OwnedRange[] = [];

  constructor(private readonly start: number, private readonly size: number) {}

  /** Ranges in use, lowest first. */
  ranges(): OwnedRange[] {
    return [...this.used].sort((a, b) => a.start - b.start);
  }

  /** A free 16-aligned start for `size` bytes, or null when none is large enough. */
  find(size: number): number | null {
    let at = align16(this.start);
    for (const r of this.ranges()) {
      if (at + size <= r.start) return at;
      at = Math.max(at, align16(r.end));
    }
    return at + size <= this.start + this.size ? at : null;
  }

  /** The range that overlaps [start, end), if any. */
  overlapping(start: number, end: number): OwnedRange | undefined {
    return this.used.find((r) => start < r.end && r.start < end);
  }

  /** Records [start, end) as owned by `owner`. */
  take(start: number, end: number, owner: string): void {
    if (end > start) this.used.push({ start, end, owner });
  }

  /** Frees every range of `owner`. */
  release(owner: string): void {
    for (let i = this.used.length - 1; i >= 0; i--) if (this.used[i]!.owner === owner) this.used.splice(i, 1);
  }

  /** The ranges of `owner`. */
  of(owner: string): OwnedRange[] {
    return this.used.filter((r) => r.owner === owner);
  }
}

/** Hands out contiguous table slots: reuses freed ranges, else grows the table. */
export class TableAllocator {
  private readonly free: { start: number; end: number }[] = [];
  private readonly used: OwnedRange[] = [];

  constructor(private readonly table: WebAssembly.Table) {}

  /** The first slot `take(count)` would return now, without taking it. */
  peek(count: number): number {
    if (count === 0) return 0;
    return this.free.find((r) => r.end - r.start >= count)?.start ?? this.table.length;
  }

  /** Reserves `count` slots for `owner`; returns the first. */
  take(count: number, owner: string): number {
    if (count === 0) return 0;
    const i = this.free.findIndex((r) => r.end - r.start >= count);
    let start: number;
    if (i >= 0) {
      const r = this.free[i]!;
      start = r.start;
      if (r.end - r.start === count) this.free.splice(i, 1);
      else r.start += count;
    } else {
      start = this.table.grow(count);
    }
    this.used.push({ start, end: start + count, owner });
    return start;
  }

  /** Empties and frees every range of `owner`, so nothing keeps its functions alive. */
  release(owner: string): void {
    for (let i = this.used.length - 1; i >= 0; i--) {
      const r = this.used[i]!;
      if (r.owner !== owner) continue;
      for (let s = r.start; s < r.end; s++) this.table.set(s, null);
      this.used.splice(i, 1);
      this.free.push({ start: r.start, end: r.end });
    }
  }
}

function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}
