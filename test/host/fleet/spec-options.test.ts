// The operator's words for a rollout: shares, durations, holds and the steps they make; every
// mistake is E_FLEET_CONFIG with the words it could not read.

import { expect, test } from "vitest";
import { buildSteps, parseDuration, parseHold, parsePercent } from "../../../host/fleet/index.js";

const codeOf = (fn: () => unknown) => { try { fn(); return "none"; } catch (err) { return (err as { code?: string }).code; } };

test("shares, durations and holds", () => {
  expect(["10%", "10", " 100 % ", "1%"].map(parsePercent)).toEqual([10, 10, 100, 1]);
  expect(["0%", "101%", "ten", "5.5%", ""].map((t) => codeOf(() => parsePercent(t)))).toEqual(Array(5).fill("E_FLEET_CONFIG"));
  expect(["500ms", "60s", "2m", "1h", "90", "1.5s"].map(parseDuration)).toEqual([500, 60_000, 120_000, 3_600_000, 90_000, 1500]);
  expect(["", "1d", "-1s", "31d", "9999h"].map((t) => codeOf(() => parseDuration(t)))).toEqual(Array(5).fill("E_FLEET_CONFIG"));
  expect([parseHold("manual"), parseHold("2s")]).toEqual([null, 2000]);
});

test("steps: the canary, then the waves, every one held alike; a last 100 % is added; shares must grow", () => {
  expect(buildSteps("10%", "50%,100%", "60s")).toEqual([{ pct: 10, hold_ms: 60_000 }, { pct: 50, hold_ms: 60_000 }, { pct: 100, hold_ms: 60_000 }]);
  expect(buildSteps("5%", "25%", "manual")).toEqual([{ pct: 5, hold_ms: null }, { pct: 25, hold_ms: null }, { pct: 100, hold_ms: null }]);
  expect(buildSteps("100%", "", "0s")).toEqual([{ pct: 100, hold_ms: 0 }]);
  expect(codeOf(() => buildSteps("50%", "20%,100%", "1s"))).toBe("E_FLEET_CONFIG");
  expect(codeOf(() => buildSteps("10%", "10%", "1s"))).toBe("E_FLEET_CONFIG");
});
