// A load reports how long each phase took, and reverting one patch leaves the others' slots alone.

import { expect, test } from "vitest";
import { makeHost } from "../helpers/base.js";
import { fnPatch } from "../helpers/wat.js";
import type { LoadTimings } from "../../host/model/events.js";

test("the loaded event carries validate, compile, instantiate and commit times", async () => {
  const { host, events } = await makeHost();
  await host.loadHP({ hp_bytes: fnPatch("version", "(result i32)", "(i32.const 2)"), replace_config: { version: "main.version" } });
  const loaded = events.find((e) => e.type === "loaded");
  const timings = (loaded as { timings?: LoadTimings }).timings!;
  expect(Object.keys(timings).sort()).toEqual(["commit", "compile", "instantiate", "validate"]);
  for (const ms of Object.values(timings)) expect(ms).toBeGreaterThanOrEqual(0);
});

test("unloading one patch takes back only its own slots", async () => {
  const { host, x } = await makeHost();
  const a = await host.loadHP({ hp_bytes: fnPatch("version", "(result i32)", "(i32.const 2)"), replace_config: { version: "main.version" } });
  const b = await host.loadHP({ hp_bytes: fnPatch("add", "(param i32 i32) (result i32)", "(i32.const 99)"), replace_config: { add: "main.add" } });
  const c = await host.loadHP({ hp_bytes: fnPatch("version", "(result i32)", "(i32.const 3)"), replace_config: { version: "main.version" } });
  await host.unloadHP(c);
  expect(x.version()).toBe(2);
  expect(x.add(1, 2)).toBe(99);
  await host.unloadHP(b);
  expect(x.add(1, 2)).toBe(3);
  expect(host.patchStack("version")).toEqual([a]);
});
