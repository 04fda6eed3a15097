// Which patch a failing call belongs to. While any patch with a policy is loaded, every replacement
// runs through a trampoline that puts its patch's token in one shared global while it runs
// (trap-trampoline.ts); the host's exports are wrapped so that when a call from JS throws (a trap,
// an abort, a stack overflow), the token left in the global names the innermost patch frame that
// was on the stack. Nothing is blamed when no patch code was running. Only calls made through
// `host.exports` are observed. Without a policy patch nothing is wrapped and nothing costs.

import { makeTrampoline, canTrampoline, type TrampolineType } from "./trap-trampoline.js";

/** Told of each failure under a patch: its id and what was thrown. */
export type TrapListener = (hpId: string, error: unknown) => void;

/** Tokens of the patches in force, the shared global, and the export wrappers. */
export class TrapGuard {
  private readonly cur = new WebAssembly.Global({ value: "i32", mutable: true }, 0);
  private readonly owners = new Map<number, string>();
  private readonly tokens = new Map<string, number>();
  private readonly blamed = new WeakSet<object>();
  private nextToken = 1;
  private depth = 0;
  /** True while replacements go behind trampolines (a patch with a policy is loaded). */
  active = false;

  constructor(private readonly onTrap: TrapListener) {}

  /** `fn` behind a trampoline for patch `owner` while active; `fn` itself otherwise or when its type cannot pass one. */
  wrap(owner: string, fn: Function, type: TrampolineType): Function {
    if (!this.active || !canTrampoline(type)) return fn;
    let token = this.tokens.get(owner);
    if (token === undefined) {
      token = this.nextToken++;
      this.tokens.set(owner, token);
      this.owners.set(token, owner);
    }
    return makeTrampoline(fn, type, this.cur, token);
  }

  /** Forgets every token (after the trampolines left the table). */
  reset(): void {
    this.tokens.clear();
    this.owners.clear();
  }

  /** Forgets `owner`'s token (after its replacements left the table). */
  release(owner: string): void {
    const token = this.tokens.get(owner);
    if (token === undefined) return;
    this.tokens.delete(owner);
    this.owners.delete(token);
  }

  /** A function that calls `fn` and attributes what it throws; otherwise the same. A function the
   * loader wrapped (it has `original`) is rewrapped in one layer: `setLength` does the loader's part. */
  watch<F extends Function>(fn: F, setLength?: (n: number) => void): F {
    const guard = this;
    const original = (fn as unknown as { original?: unknown }).original;
    if (setLength && typeof original === "function") {
      const inner = original as (...args: unknown[]) => unknown;
      // Invariant: the same work as @assemblyscript/loader's wrapper (arguments length, then the call), plus one size check.
      const direct = function (...args: unknown[]): unknown {
        setLength(args.length);
        if (guard.owners.size === 0) return inner(...args);
        return guard.call(inner, undefined, args);
      };
      Object.defineProperty(direct, "name", { value: fn.name });
      return Object.assign(direct, fn, { original: inner }) as unknown as F;
    }
    const watched = function (this: unknown, ...args: unknown[]): unknown {
      if (guard.owners.size === 0) return fn.apply(this, args);
      return guard.call(fn, this, args);
    };
    Object.defineProperty(watched, "name", { value: fn.name });
    return Object.assign(watched, fn) as unknown as F;
  }

  private call(fn: Function, self: unknown, args: unknown[]): unknown {
    // Invariant: the outermost observed call starts with no patch running, whatever an unobserved trap left behind.
    if (this.depth === 0) this.cur.value = 0;
    const saved = this.cur.value as number;
    this.depth++;
    try {
      return fn.apply(self, args);
    } catch (err) {
      const owner = this.owners.get(this.cur.value as number);
      const fresh = typeof err !== "object" || err === null || !this.blamed.has(err);
      if (owner !== undefined && fresh) {
        if (typeof err === "object" && err !== null) this.blamed.add(err);
        this.onTrap(owner, err);
      }
      throw err;
    } finally {
      this.depth--;
      this.cur.value = saved;
    }
  }
}
