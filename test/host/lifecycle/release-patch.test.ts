// Releasing an unloaded patch's static data: a program global that may hold an address (usize)
// and points into the patch's data keeps the patch retained; a global declared as a plain number
// (i32) whose value happens to fall in that range does not (a counter ticking through the arena
// must not hold every unloaded patch).

import { expect, test } from "vitest";
import { buildPatch } from "../../../compiler/patch/build-patch.js";
import { Host } from "../../../host/core/host.js";
import { buildApp } from "../../helpers/build.js";

const app = `
export let counter: i32 = 0;
export let address: usize = 0;
export function word(): string { return "old"; }
export function setCounter(v: i32): void { counter = v; }
export function setAddress(v: usize): void { address = v; }
`;
const patch = `export function word(): string { return "a literal of the patch, long enough to see"; }`;

test("a number global in the patch's data range does not retain it; an address global does, until it moves", async () => {
  const base = await buildApp({ "assembly/index.ts": app });
  const { binary } = await buildPatch({ patch: "patches/word.ts", base, files: { "assembly/index.ts": app, "patches/word.ts": patch } });
  const host = await Host.instantiate(base);
  const x = host.exports;

  const a = await host.loadHP({ hp_bytes: binary });
  const inArena = x.word() as number; // the patch's literal, in its static data
  expect(x.__getString(inArena)).toBe("a literal of the patch, long enough to see");
  x.setCounter(inArena);
  await host.unloadHP(a);
  expect(host.getHPInfo()).toEqual([]);

  const b = await host.loadHP({ hp_bytes: binary });
  expect(x.word()).toBe(inArena);
  x.setAddress(inArena);
  await host.unloadHP(b);
  expect(host.getHPInfo().map((p) => [p.state, p.retained_reason])).toEqual([["retained", "global assembly/index/address points into its static data"]]);
  x.setAddress(0);
  expect(await host.releaseRetained()).toEqual([]);
  expect(host.getHPInfo()).toEqual([]);
  expect(x.__getString(x.word())).toBe("old");
  expect(x.counter.value).toBe(inArena);
});
