// Loop versioning: a loop calling an inlined patchable function gets a copy that calls the slot
// directly, entered while the function is patched; both copies follow loads and unloads made in
// the middle of the loop, and the program computes the same with and without the versioning.

import { describe, expect, test } from "vitest";
import binaryen from "binaryen";
import { buildApp } from "../../helpers/build.js";
import { wat } from "../../helpers/wat.js";
import { findExpressions } from "../../../compiler/common/expression-children.js";
import type { Binaryen } from "../../../compiler/common/binaryen-util.js";
import { Host } from "../../../host/core/host.js";

const source = `
@external("env", "step") declare function step(v: i32): void;
function twice(i: i32): i32 { return i * 2; }
function mix(h: u32, i: u32): u32 { return (h ^ i) * 16777619; }
/** Reports twice(i) for each i below n, one step() per iteration. */
export function trace(n: i32): void { for (let i = 0; i < n; i++) step(twice(i)); }
export function run(n: i32): u32 { let h: u32 = 2166136261; for (let i = 0; i < n; i++) h = mix(h, <u32>i); return h; }
`;
const files = { "assembly/index.ts": source };
const plus = (k: number) => wat(`(module (func (export "twice") (param i32) (result i32) (i32.add (i32.mul (local.get 0) (i32.const 2)) (i32.const ${k}))))`);
const mixPatch = wat(`(module (func (export "mix") (param i32 i32) (result i32) (i32.add (i32.xor (local.get 0) (local.get 1)) (i32.const 7))))`);

function loopsIn(bytes: Uint8Array, exportName: string): number {
  const module = binaryen.readBinary(bytes);
  try {
    const b = binaryen as unknown as Binaryen;
    const fn = module.getFunction(b.getExportInfo(module.getExport(exportName)).value);
    return findExpressions(b, b.Function.getBody(fn), b.LoopId, exportName).length;
  } finally {
    module.dispose();
  }
}

async function makeHost(versionLoops = true) {
  const steps: number[] = [];
  let onStep: (v: number) => void = () => {};
  const host = await Host.instantiate(await buildApp(files, { versionLoops }), {
    env: { step: (v: number) => { steps.push(v); onStep(v); } },
  });
  const trace = (n: number, at: (v: number) => void = () => {}) => {
    steps.length = 0;
    onStep = at;
    host.exports.trace(n);
    return [...steps];
  };
  return { host, trace, run: (n: number) => host.exports.run(n) >>> 0 };
}

describe("loop versioning", () => {
  test("a loop calling an inlined patchable function gets a patched copy; off, it does not", async () => {
    expect(loopsIn(await buildApp(files), "trace")).toBe(2);
    expect(loopsIn(await buildApp(files), "run")).toBe(2);
    expect(loopsIn(await buildApp(files, { versionLoops: false }), "trace")).toBe(1);
  });

  test("old -> new -> old, the same with and without versioning", async () => {
    for (const versioned of [true, false]) {
      const { host, trace, run } = await makeHost(versioned);
      const before = run(1000);
      expect(trace(4)).toEqual([0, 2, 4, 6]);
      const id = await host.loadHP({ hp_bytes: plus(1000), replace_config: { twice: "twice" } });
      const mixId = await host.loadHP({ hp_bytes: mixPatch, replace_config: { mix: "mix" } });
      expect(trace(4)).toEqual([1000, 1002, 1004, 1006]);
      let h = 2166136261;
      for (let i = 0; i < 1000; i++) h = ((h ^ i) + 7) >>> 0;
      expect(run(1000)).toBe(h);
      await host.unloadHP(id);
      await host.unloadHP(mixId);
      expect(trace(4)).toEqual([0, 2, 4, 6]);
      expect(run(1000)).toBe(before);
    }
  });

  test("a load in the middle of the unpatched loop takes effect at the next iteration", async () => {
    const { host, trace } = await makeHost();
    expect(trace(6, (v) => { if (v === 2) host.loadHPSync({ hp_bytes: plus(1000), replace_config: { twice: "twice" } }); }))
      .toEqual([0, 2, 1004, 1006, 1008, 1010]);
  });

  test("an unload and a stacked load in the middle of the patched copy take effect at the next iteration", async () => {
    const { host, trace } = await makeHost();
    const first = await host.loadHP({ hp_bytes: plus(1000), replace_config: { twice: "twice" } });
    let second = "";
    expect(trace(6, (v) => {
      if (v === 1002) second = host.loadHPSync({ hp_bytes: plus(2000), replace_config: { twice: "twice" } });
      if (v === 2004) host.unloadHPSync(second);
      if (v === 1006) host.unloadHPSync(first);
    })).toEqual([1000, 1002, 2004, 1006, 8, 10]);
    expect(host.getHPInfo()).toEqual([]);
  });
});
