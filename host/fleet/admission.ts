// Who gets what: the hosts a step admits (an exact share, in a deterministic order per rollout),
// the set of patches a host should run in each phase, and the set the fleet settles on.

import { createHash } from "node:crypto";
import type { Phase, PatchItem, RolloutState } from "./records.js";

/** The phases a rollout ends in. */
export const FINAL_PHASES: ReadonlySet<Phase> = new Set(["done", "rolled_back"]);

/** True when a rollout in `phase` is over. */
export function isFinal(phase: Phase): boolean {
  return FINAL_PHASES.has(phase);
}

/**
 * The admitted hosts after a step of `pct` %: everyone admitted before stays, and live hosts are
 * added in the order of sha256(rollout id + ":" + host id) until exactly ceil(pct × live) live
 * hosts are admitted.
 */
export function admitHosts(rolloutId: string, live: readonly string[], already: readonly string[], pct: number): string[] {
  const want = Math.ceil((pct * live.length) / 100);
  const before = new Set(already);
  const admitted = [...already];
  let count = live.filter((h) => before.has(h)).length;
  const order = live.filter((h) => !before.has(h)).map((h) => ({ h, rank: rankOf(rolloutId, h) })).sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
  for (const { h } of order) {
    if (count >= want) break;
    admitted.push(h);
    count++;
  }
  return admitted;
}

/** The patches `host` should run under `state`: the target once admitted (or done), else the baseline. */
export function desiredFor(state: RolloutState, host: string): PatchItem[] {
  switch (state.phase) {
    case "done":
      return state.target;
    case "canary":
    case "waves":
      return state.admitted.includes(host) ? state.target : state.baseline;
    default:
      return state.baseline;
  }
}

/** The set the fleet runs once `state` is over: the target when done, else the baseline. */
export function settledSet(state: RolloutState): PatchItem[] {
  return state.phase === "done" ? state.target : state.baseline;
}

/** The rank of a host in a rollout's admission order. */
export function rankOf(rolloutId: string, host: string): string {
  return createHash("sha256").update(`${rolloutId}:${host}`).digest("hex");
}
