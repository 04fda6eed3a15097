// The benchmark statistics: quantiles, paired ratios, and interleaved rounds.

import { expect, test } from "vitest";
import { readCpuMs, interleave, computeMedian, computePairedRatio, computeQuantile } from "../../bench/stats.js";

test("median and quantiles interpolate between sorted samples", () => {
  expect(computeMedian([5, 1, 3])).toBe(3);
  expect(computeMedian([4, 1, 3, 2])).toBe(2.5);
  expect(computeQuantile([10, 20, 30, 40, 50], 0.95)).toBeCloseTo(48);
  expect(computeMedian([])).toBeNaN();
});

test("paired ratios compare samples of the same round", () => {
  expect(computePairedRatio([2, 4, 6], [1, 2, 3])).toBe(2);
  expect(computePairedRatio([10, 1, 1], [1, 1, 1])).toBe(1); // one disturbed round does not move the computeMedian
});

test("interleave runs every variant once per round, rotating the order, and drops warm-up rounds", () => {
  const order: string[] = [];
  const samples = interleave({ a: () => order.push("a"), b: () => order.push("b") }, 3, 1);
  expect(order).toEqual(["a", "b", "b", "a", "a", "b", "b", "a"]);
  expect(samples.a).toHaveLength(3);
  expect(samples.b).toHaveLength(3);
});

test("the CPU clock advances while this process computes", () => {
  const start = readCpuMs();
  let x = 0;
  while (readCpuMs() - start < 5) x++;
  expect(x).toBeGreaterThan(0);
});
