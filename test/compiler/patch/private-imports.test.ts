// `hotwasm patch` reaches the app's module-private globals, functions, constants and classes by
// the app's own names: the patch imports them from the app's module as if they were exported
// (named or as a namespace), works on the running base's state, and unloads back to the original.

import { expect, test } from "vitest";
import { buildPatch } from "../../../compiler/patch/build-patch.js";
import { buildApp } from "../../helpers/build.js";
import { Host } from "../../../host/core/host.js";
import { readModule } from "../../../host/wasm/wasm-reader.js";

const app = `
import { bumpHidden, hiddenTotal } from "./state";
let count = 0;
const STEP = 1;
class Tally { n: i32 = 0; add(by: i32): void { this.n += by; } }
const tally = new Tally();
function bump(by: i32): void { count += by; tally.add(by); bumpHidden(by); }
export function tick(): void { bump(STEP); }
export function getCount(): i32 { return count; }
export function getTally(): i32 { return tally.n; }
export function getHidden(): i32 { return hiddenTotal(); }
`;
const state = `
let hidden = 0;
export function bumpHidden(by: i32): void { hidden += by; }
export function hiddenTotal(): i32 { return hidden; }
`;
const files = { "assembly/index.ts": app, "assembly/state.ts": state };

async function patch(source: string): Promise<Uint8Array> {
  const base = await buildApp(files);
  const result = await buildPatch({ patch: "patches/fix.ts", base, files: { ...files, "patches/fix.ts": source } });
  return result.binary;
}

test("named imports of private names: the patch changes the base's own state; unload restores the old code", async () => {
  const base = await buildApp(files);
  const fix = await patch(`
import { count, bump, STEP, tally, Tally } from "../assembly/index";
import { hidden } from "../assembly/state";
export function tick(): void {
  bump(STEP * 10);
  count += 1;
  const t: Tally = tally;
  t.add(100);
  hidden += 1000;
}
`);
  const host = await Host.instantiate(base);
  const x = host.exports as Record<string, () => number>;
  x.tick!();
  expect([x.getCount!(), x.getTally!(), x.getHidden!()]).toEqual([1, 1, 1]);
  const id = await host.loadHP({ hp_bytes: fix });
  x.tick!();
  expect([x.getCount!(), x.getTally!(), x.getHidden!()]).toEqual([12, 111, 1011]);
  await host.unloadHP(id);
  x.tick!();
  expect([x.getCount!(), x.getTally!(), x.getHidden!()]).toEqual([13, 112, 1012]);
  // The patch exports its replacement only: the app's private names did not become exports.
  expect(readModule(fix).exports.filter((e) => e.kind === "function").map((e) => e.name)).toEqual(["tick"]);
});

test("a namespace import reaches private names too", async () => {
  const base = await buildApp(files);
  const fix = await patch(`
import * as app from "../assembly/index";
export function tick(): void { app.count += 7; }
`);
  const host = await Host.instantiate(base);
  const x = host.exports as Record<string, () => number>;
  await host.loadHP({ hp_bytes: fix });
  x.tick!();
  x.tick!();
  expect(x.getCount!()).toBe(14);
});

test("a name the app's module does not declare is still a compile error that names it", async () => {
  const err = await patch(`import { cuont } from "../assembly/index";\nexport function tick(): void { cuont += 1; }\n`).then(
    () => null, (e: Error & { log?: string }) => `${e.message}\n${e.log ?? ""}`);
  expect(err).toMatch(/has no exported member 'cuont'/);
});
