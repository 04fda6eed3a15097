// The per-slot stacks of replacements and the one place that writes the base's table and
// "patched" flags. Every write for one patch happens in one synchronous step, so no Wasm code
// runs between the first and the last swap; the newest layer of a slot is the one in force.

/** One slot a patch replaces, with its new function. */
export interface SlotWrite {
  slot: number;
  fn: Function;
  /** The function `fn` wraps, if it wraps one (a trampoline); `rewrap` starts from it. */
  raw?: Function;
}

interface SlotState {
  original: unknown;
  flag: WebAssembly.Global;
  /** `fn` is what the table holds for the layer, `raw` the function it was committed with. */
  layers: { owner: string; fn: Function; raw: Function }[];
}

/** Owns the table slots of the base's patchable functions. */
export class SwapTable {
  private readonly slots = new Map<number, SlotState>();
  /** The slots each owner has a layer in, so that a revert touches only those. */
  private readonly owned = new Map<string, number[]>();

  constructor(private readonly table: WebAssembly.Table) {}

  /** Registers a patchable slot and its flag; remembers the original entry. */
  addSlot(slot: number, flag: WebAssembly.Global): void {
    this.slots.set(slot, { original: this.table.get(slot), flag, layers: [] });
  }

  /** The entry `slot` had before any patch. */
  originalAt(slot: number): unknown {
    return this.state(slot).original;
  }

  /** True when `slot` was registered. */
  hasSlot(slot: number): boolean {
    return this.slots.has(slot);
  }

  /** Puts `writes` in force for `owner`, all or none. */
  commit(owner: string, writes: SlotWrite[]): void {
    const touched: number[] = [];
    try {
      for (const w of writes) {
        this.state(w.slot).layers.push({ owner, fn: w.fn, raw: w.raw ?? w.fn });
        touched.push(w.slot);
        this.apply(w.slot);
      }
    } catch (err) {
      for (const slot of touched) this.removeLayer(slot, owner);
      throw err;
    }
    if (touched.length > 0) this.owned.set(owner, [...(this.owned.get(owner) ?? []), ...touched]);
  }

  /** Replaces every layer's function with `wrap(owner, raw, slot)` and rewrites every slot, in one step. */
  rewrap(wrap: (owner: string, raw: Function, slot: number) => Function): void {
    for (const [slot, s] of this.slots) {
      if (s.layers.length === 0) continue;
      for (const layer of s.layers) layer.fn = wrap(layer.owner, layer.raw, slot);
      this.apply(slot);
    }
  }

  /** Takes every layer of `owner` out; each slot falls back to the next newest layer or the original. */
  revert(owner: string): void {
    for (const slot of this.slotsOf(owner)) this.removeLayer(slot, owner);
    this.owned.delete(owner);
  }

  /** The slots `owner` has a layer in. */
  slotsOf(owner: string): number[] {
    return [...(this.owned.get(owner) ?? [])];
  }

  /** Owner of the layer in force at `slot`, or null when the original runs. */
  ownerAt(slot: number): string | null {
    const layers = this.slots.get(slot)?.layers;
    return layers && layers.length > 0 ? layers[layers.length - 1]!.owner : null;
  }

  /** Owners of all layers at `slot`, oldest first. */
  stackAt(slot: number): string[] {
    return (this.slots.get(slot)?.layers ?? []).map((l) => l.owner);
  }

  private removeLayer(slot: number, owner: string): void {
    const s = this.state(slot);
    const i = s.layers.findIndex((l) => l.owner === owner);
    if (i >= 0) s.layers.splice(i, 1);
    this.apply(slot);
  }

  private apply(slot: number): void {
    const s = this.state(slot);
    const top = s.layers[s.layers.length - 1];
    // Invariant: the table entry is written before the flag, both in this synchronous step.
    this.table.set(slot, (top ? top.fn : s.original) as never);
    s.flag.value = top ? 1 : 0;
  }

  private state(slot: number): SlotState {
    const s = this.slots.get(slot);
    if (!s) throw new RangeError(`slot ${slot} is not a patchable slot`);
    return s;
  }
}
