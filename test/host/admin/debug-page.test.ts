// The /hpdebug page's text for people: durations in readable units, the live page's colours, a
// page built for narrow screens (the rendering itself is checked in test/browser/debug-page.test.ts).

import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { DEBUG_STYLE, formatDuration, formatTime } from "../../../host/admin/debug-format.js";
import { renderDebugPage } from "../../../host/admin/debug-page.js";
import type { DebugState } from "../../../host/admin/debug-state.js";

test("durations are rounded to a unit that suits them", () => {
  const cases: [number, string][] = [
    [0.000412, "<1 µs"], [0.0421, "42 µs"], [0.123456789, "123 µs"], [0.9994, "999 µs"], [1, "1 ms"], [3.14159265, "3.1 ms"],
    [9.96, "10 ms"], [42.4242, "42 ms"], [999.4, "999 ms"], [1234.5678, "1.23 s"], [2500, "2.5 s"], [12_345, "12.3 s"], [125_000, "2 min 5 s"],
  ];
  expect(cases.map(([ms]) => formatDuration(ms))).toEqual(cases.map(([, text]) => text));
  expect(formatTime(Date.UTC(2025, 0, 31, 14, 5, 9, 123))).toBe("2025-01-31 14:05:09.123");
});

test("an event's timings are shown in readable units, never with a long tail of decimals", () => {
  const state: DebugState = {
    base: { build_id: "0".repeat(32), compiler: "assemblyscript 0.28.20", flags: { runtime: "incremental" }, patchable_functions: 3, functions: 5 },
    patches: [], functions: [], retained: [], rolled_back: [], services: [{ name: "HP", methods: [{ name: "HP.Load", calls: 1 }] }],
    events: [
      { seq: 1, time: Date.UTC(2025, 0, 31), type: "load-begin", hp_id: "a".repeat(64) },
      { seq: 2, time: Date.UTC(2025, 0, 31), type: "hook", hp_id: "a".repeat(64), hook: "HPBeforeLoad", ok: true },
      { seq: 3, time: Date.UTC(2025, 0, 31), type: "loaded", hp_id: "a".repeat(64), timings: { validate: 0.123456789, compile: 3.14159265, instantiate: 0.0421, commit: 0.0123456 } },
    ],
  };
  const html = renderDebugPage(state);
  expect(html).toContain("timings: validate 123 µs, compile 3.1 ms, instantiate 42 µs, commit 12 µs");
  expect(html).not.toMatch(/\d\.\d{4,}/);
  expect(html).not.toContain("undefined");
  expect(html).toContain('<td data-label="patchable functions">3 of 5</td>');
  expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  // Every table can scroll sideways on its own, so the page itself never has to.
  expect(html.match(/<table>/g)!.length).toBe(html.match(/<div class="scroll"><table>/g)!.length);
});

test("the page uses the live page's colours and type", () => {
  const live = readFileSync(new URL("../../../web/page/style.css", import.meta.url), "utf8");
  const vars = (css: string) => new Map([...css.matchAll(/(--[a-z]+):\s*([^;]+);/g)].map((m) => [m[1]!, m[2]!.trim()]));
  const page = vars(DEBUG_STYLE);
  const shared = [...vars(live)].filter(([name]) => page.has(name));
  expect(shared.map(([name]) => name)).toEqual(expect.arrayContaining(["--bg", "--panel", "--line", "--text", "--muted", "--accent", "--mono"]));
  expect(shared.map(([name]) => [name, page.get(name)])).toEqual(shared);
});
