// Trap containment for a pool: every worker reports the failures it attributes to a patch with a
// policy; the pool counts them in one window per patch, so that going over the limit rolls the
// patch back in all workers at once rather than in the one that saw the failures.

import type { TrapPolicy } from "../model/config.js";

/** One counted failure: the count in the window, and whether this one crossed the limit. */
export interface CountedTrap {
  count: number;
  policy: TrapPolicy;
  /** True once, for the failure that went over the limit. */
  crossed: boolean;
}

const TRACKED_LIMIT = 256;

/** Failure windows of the patches with a policy. */
export class PoolTraps {
  private readonly patches = new Map<string, { policy: TrapPolicy; times: number[]; total: number; crossed: boolean }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Starts counting for patch `id`. */
  track(id: string, policy: TrapPolicy): void {
    this.patches.set(id, { policy: { ...policy }, times: [], total: 0, crossed: false });
    // Rolled-back patches stay counted for getHPInfo; the oldest are dropped beyond a bound.
    while (this.patches.size > TRACKED_LIMIT) this.patches.delete(this.patches.keys().next().value!);
  }

  /** Counts a failure under `id`; null when it has no policy. */
  count(id: string): CountedTrap | null {
    const p = this.patches.get(id);
    if (!p) return null;
    const now = this.now();
    p.times.push(now);
    while (p.times.length > 0 && p.times[0]! <= now - p.policy.window_ms) p.times.shift();
    p.total++;
    const crossed = !p.crossed && p.times.length > p.policy.max_traps;
    if (crossed) p.crossed = true;
    return { count: p.times.length, policy: p.policy, crossed };
  }

  /** Failures counted for `id` since it was loaded, or undefined without a policy. */
  total(id: string): number | undefined {
    return this.patches.get(id)?.total;
  }

  /** Stops counting for `id` (it was unloaded). */
  forget(id: string): void {
    this.patches.delete(id);
  }
}
