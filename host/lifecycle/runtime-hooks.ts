// Teaches the base's collector about patches (DESIGN.md §3): the patch with the most classes
// provides `__visit_members` and the RTTI table (`__rtti_base`) for all of them, every patch
// with globals of its own links its globals visitor into a chain behind `__visit_globals`, and
// every patch with shadow fields links its free-object hook into a chain behind the base's
// `__finalize`. Patches stay members until the host releases them (also after unload, while their
// objects live); their globals and free-object hooks leave the chains when they are unloaded.

import type { Manifest } from "../model/manifest.js";
import { FINALIZE_FUNCTION } from "../model/hook-names.js";
import type { SwapTable } from "./swap-table.js";
import type { TableAllocator } from "../link/placement.js";
import type { HookCheck, HookMember } from "../link/link-types.js";
import { unsupportedHooks } from "../fit/check-patch.js";

export type { HookMember } from "../link/link-types.js";

/** The two chains: globals visitors ("vg") and free-object hooks ("fin"). */
type ChainName = "vg" | "fin";
/** A chain: the base's table slot its newest member is swapped into, a member's link, and what the oldest calls next. */
interface Chain {
  head: number | null;
  linkOf(member: HookMember): { fn: Function; next: WebAssembly.Global } | null;
  end(): number;
}

/** The runtime hooks of one host. */
export class RuntimeHooks implements HookCheck {
  private readonly members: (HookMember & { links: Record<ChainName, number | null> })[] = [];
  private provider: string | null = null;
  private baseVisitorSlot: number | null = null;
  private readonly membersSlot: number | null;
  private readonly globalsSlot: number | null;
  private readonly chains: Record<ChainName, Chain>;
  private readonly rtti: WebAssembly.Global | null;
  private readonly rttiOriginal: number;
  private readonly unpatchedVisitor: unknown;
  /** False for the stub runtime: nothing is ever collected, so new classes need no visitor. */
  private readonly collects: boolean;

  constructor(private readonly manifest: Manifest, exports: WebAssembly.Exports, private readonly swap: SwapTable, private readonly table: WebAssembly.Table, private readonly slots: TableAllocator) {
    const slotOf = (name: string) => manifest.functions.find((f) => f.name === name)?.slot ?? null;
    this.membersSlot = slotOf("~lib/rt/__visit_members");
    this.globalsSlot = slotOf("~lib/rt/__visit_globals");
    this.chains = {
      vg: { head: this.globalsSlot, linkOf: (m) => m.visitGlobals, end: () => this.baseVisitor() },
      // The chain ends at 0: the base's own hook does nothing.
      fin: { head: slotOf(FINALIZE_FUNCTION), linkOf: (m) => m.finalize ?? null, end: () => 0 },
    };
    this.collects = manifest.compiler.flags.runtime !== "stub";
    const g = manifest.globals.find((x) => x.name === "~lib/rt/__rtti_base" && x.mutable);
    this.rtti = g ? (exports[g.export] as WebAssembly.Global) : null;
    this.rttiOriginal = this.rtti ? Number(this.rtti.value) : 0;
    const base = manifest.runtime.visit_globals_base;
    this.unpatchedVisitor = base ? exports[base] : null;
  }

  /** Why `classes` cannot join (a new id already means another class), or null. */
  conflict(classes: { id: number; name: string }[]): string | null {
    for (const c of classes) {
      for (const m of this.members) {
        const other = m.classes.find((x) => x.id === c.id);
        if (other && other.name !== c.name) return `class id ${c.id} is ${c.name} here but ${other.name} in patch ${m.id}`;
      }
    }
    return null;
  }

  /** Why the base cannot host these hooks, or null. */
  unsupported(member: Omit<HookMember, "id">): string | null {
    return unsupportedHooks(this.manifest, { ...member, visitMembers: member.visitMembers !== null, visitGlobals: member.visitGlobals !== null, finalize: !!member.finalize });
  }

  /** Adds a member; call inside the commit step. */
  attach(member: HookMember): void {
    const links = { vg: this.link("vg", member), fin: this.link("fin", member) };
    this.members.push({ ...member, links });
    this.chooseProvider();
  }

  /** Removes a member (its patch is released). */
  detach(id: string): void {
    this.detachGlobals(id);
    const i = this.members.findIndex((m) => m.id === id);
    if (i < 0) return;
    this.members.splice(i, 1);
    this.chooseProvider();
  }

  /**
   * Takes a member's free-object hook out of the chain, then its globals out of the collector's
   * roots (its shadow tables, which the hook reads, are freed after that); its classes stay supported.
   */
  detachGlobals(id: string): void {
    this.unlink("fin", id);
    this.unlink("vg", id);
  }

  /** Puts `member`'s function at the head of chain `name`, its `next` pointing at the former head; its table slot. */
  private link(name: ChainName, member: HookMember): number | null {
    const chain = this.chains[name];
    const own = chain.linkOf(member);
    if (!own || chain.head === null) return null;
    const newest = [...this.members].reverse().find((m) => m.links[name] !== null);
    own.next.value = newest ? newest.links[name]! : chain.end();
    const slot = this.slots.take(1, `${name}:${member.id}`);
    this.table.set(slot, own.fn as never);
    this.swap.commit(`${name}:${member.id}`, [{ slot: chain.head, fn: own.fn }]);
    return slot;
  }

  /** Takes member `id` out of chain `name`: the next newer member skips it. */
  private unlink(name: ChainName, id: string): void {
    const i = this.members.findIndex((m) => m.id === id);
    const m = this.members[i];
    const own = m ? this.chains[name].linkOf(m) : null;
    if (!m || m.links[name] === null || !own) return;
    const newer = this.members.slice(i + 1).find((x) => x.links[name] !== null);
    if (newer) this.chains[name].linkOf(newer)!.next.value = own.next.value;
    this.swap.revert(`${name}:${id}`);
    this.slots.release(`${name}:${id}`);
    m.links[name] = null;
  }

  /** Ids of the member patches. */
  memberIds(): string[] {
    return this.members.map((m) => m.id);
  }

  /** Class ids the base's own RTTI does not know, per member. */
  classesOf(id: string): number[] {
    return this.members.find((m) => m.id === id)?.classes.map((c) => c.id) ?? [];
  }

  private chooseProvider(): void {
    const top = (m: HookMember) => Math.max(-1, ...m.classes.map((c) => c.id));
    const best = this.members.filter((m) => m.classes.length > 0).sort((a, b) => top(b) - top(a))[0] ?? null;
    if ((best?.id ?? null) === this.provider) return;
    if (this.provider) this.swap.revert(`rt:${this.provider}`);
    this.provider = best?.id ?? null;
    if (best && this.membersSlot !== null && best.visitMembers) this.swap.commit(`rt:${best.id}`, [{ slot: this.membersSlot, fn: best.visitMembers }]);
    if (this.rtti) this.rtti.value = best && best.rttiAddress !== null ? best.rttiAddress : this.rttiOriginal;
  }

  /** A table slot holding the base's own globals visitor, the end of every chain. */
  private baseVisitor(): number {
    if (this.baseVisitorSlot === null) {
      this.baseVisitorSlot = this.slots.take(1, "vg:base");
      // Invariant: the chain ends in a visitor that never dispatches back to the chain's head.
      this.table.set(this.baseVisitorSlot, (this.unpatchedVisitor ?? this.swap.originalAt(this.globalsSlot!)) as never);
    }
    return this.baseVisitorSlot;
  }
}
