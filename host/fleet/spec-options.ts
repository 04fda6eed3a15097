// The operator's words for a rollout, parsed: shares ("10%"), durations ("60s", "500ms", "2m",
// "manual") and the steps they make (`--canary 10% --then 50%,100% --hold 60s`).

import { HotwasmError } from "../errors.js";
import type { RolloutStep } from "./records.js";

/** A share of hosts, "10%" or "10", as a whole percentage from 1 to 100. */
export function parsePercent(text: string): number {
  const m = /^\s*(\d{1,3})\s*%?\s*$/.exec(text);
  const n = m ? Number(m[1]) : NaN;
  if (!(n >= 1 && n <= 100)) throw new HotwasmError("E_FLEET_CONFIG", `"${text}" is not a share of hosts from 1% to 100%`);
  return n;
}

/** A duration in ms: "500ms", "60s", "2m", "1h" (a bare number is seconds). */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) throw new HotwasmError("E_FLEET_CONFIG", `"${text}" is not a duration (e.g. 500ms, 60s, 2m, 1h)`);
  const ms = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
  if (!Number.isFinite(ms) || ms > 30 * 24 * 3_600_000) throw new HotwasmError("E_FLEET_CONFIG", `the duration "${text}" is too long (at most 30 days)`);
  return Math.round(ms);
}

/** A hold: a duration, or "manual" (null: until `hotwasm fleet promote`). */
export function parseHold(text: string): number | null {
  return text.trim() === "manual" ? null : parseDuration(text);
}

/** The steps of `--canary C --then A,B,... --hold H`: every share held for H; the last must be 100 %. */
export function buildSteps(canary: string, then: string, hold: string): RolloutStep[] {
  const shares = [parsePercent(canary), ...then.split(",").filter((s) => s.trim() !== "").map(parsePercent)];
  if (shares[shares.length - 1] !== 100) shares.push(100);
  for (let i = 1; i < shares.length; i++) {
    if (shares[i]! <= shares[i - 1]!) throw new HotwasmError("E_FLEET_CONFIG", `the shares must grow step by step (${shares.join("%, ")}%)`);
  }
  const holdMs = parseHold(hold);
  return shares.map((pct) => ({ pct, hold_ms: holdMs }));
}
