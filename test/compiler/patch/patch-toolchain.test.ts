// Patches built by `hotwasm patch` that allocate: they concatenate strings, return new literals,
// grow the app's arrays and maps, create the app's objects and store them in its globals, bring
// classes of their own, keep state in their own globals. Each runs thousands of times with the
// collector forced in between; after unload the app's own data reads back intact.

import { describe, expect, test } from "vitest";
import { buildBase, hostOf, patchFor } from "../../helpers/toolchain.js";

const base = () => buildBase();
const ROUNDS = 3000;

describe("patches that allocate", () => {
  test("string concatenation and new literals, old -> new -> old", async () => {
    const b = await base();
    const { host, x, str } = await hostOf(b);
    const concat = await patchFor(b, "concat", `export function describe(n: i32): string { return "patched item " + n.toString() + "!"; }`);
    const literal = await patchFor(b, "literal", `export function literal(): string { return "brand new literal"; }`);
    expect(str(x.describe(7))).toBe("item 7");
    const a = await host.loadHP({ hp_bytes: concat });
    const l = await host.loadHP({ hp_bytes: literal });
    for (let i = 0; i < ROUNDS; i++) {
      expect(str(x.describe(i))).toBe(`patched item ${i}!`);
      expect(str(x.literal())).toBe("brand new literal");
      if (i % 250 === 0) x.__collect();
    }
    await host.unloadHP(a);
    await host.unloadHP(l);
    expect(str(x.describe(7))).toBe("item 7");
    expect(str(x.literal())).toBe("old");
    expect(host.getHPInfo()).toEqual([]);
  });

  test("growing the app's arrays and maps with the app's objects, stored in its globals", async () => {
    const b = await base();
    const { host, x, str, arg } = await hostOf(b);
    const grow = await patchFor(b, "grow", `
import { Item, items, counts, last } from "../assembly/index";
export function addItem(name: string): i32 {
  const item = new Item(name.toUpperCase(), 2);
  items.push(item);
  counts.set(name, (counts.has(name) ? counts.get(name) : 0) + 10);
  last = item;
  return items.length;
}`);
    x.addItem(arg("before"));
    const id = await host.loadHP({ hp_bytes: grow });
    for (let i = 0; i < ROUNDS; i++) {
      expect(x.addItem(arg(`w${i % 50}`))).toBe(i + 2);
      if (i % 250 === 0) x.__collect();
    }
    expect(str(x.lastLabel())).toBe(`W${(ROUNDS - 1) % 50}#2`);
    expect(x.countOf(arg("w0"))).toBe(10 * (ROUNDS / 50));
    await host.unloadHP(id);
    x.__collect();
    // The app's own code reads everything back after unload.
    expect(x.itemCount()).toBe(ROUNDS + 1);
    expect(str(x.itemLabel(0))).toBe("before#1");
    expect(str(x.itemLabel(1))).toBe("W0#2");
    expect(str(x.itemLabel(ROUNDS))).toBe(`W${(ROUNDS - 1) % 50}#2`);
    expect(x.addItem(arg("after"))).toBe(ROUNDS + 2);
    expect(str(x.lastLabel())).toBe("after#1");
    expect(x.countWord(arg("w1"))).toBe(10 * (ROUNDS / 50) + 1);
  });

  test("top-level code of a patch file that needs a frame runs in one: fifty loads leave the stack pointer where it was", async () => {
    const b = await base();
    const { host, x, str } = await hostOf(b);
    // Concatenations keep their temporaries in the start function's shadow-stack frame.
    const framed = await patchFor(b, "framed", `
const greeting: string = "n=" + (42).toString() + "/" + (7).toString();
const names: string[] = ["x" + (1).toString(), "y" + (2).toString()];
export function describe(n: i32): string { return greeting + names[n % 2] + n.toString(); }`);
    const global = host.manifest.globals.find((g) => g.name === "~lib/memory/__stack_pointer")!;
    const sp = host.instance.exports[global.export] as WebAssembly.Global;
    const before = sp.value as number;
    for (let i = 0; i < 50; i++) {
      const id = await host.loadHP({ hp_bytes: framed });
      expect(str(x.describe(3))).toBe("n=42/7y23");
      x.__collect();
      await host.unloadHP(id);
    }
    expect(sp.value).toBe(before);
    expect(str(x.describe(7))).toBe("item 7");
    // Top-level code that traps in its frame: the load is refused and the frame given back.
    const trapping = await patchFor(b, "trapping", `
function boom(): i32 { unreachable(); return 0; }
const greeting: string = "n=" + (42).toString();
const bad: i32 = boom();
export function describe(n: i32): string { return greeting + bad.toString() + n.toString(); }`);
    await expect(host.loadHP({ hp_bytes: trapping })).rejects.toMatchObject({ code: "E_INSTANTIATE_FAILED", message: expect.stringMatching(/^the patch's initialisation trapped: /) });
    expect([sp.value, host.getHPInfo(), str(x.describe(7))]).toEqual([before, [], "item 7"]);
  });

  test("state in the patch's own globals survives collections (its globals are roots)", async () => {
    const b = await base();
    const { host, x, str } = await hostOf(b);
    const cache = await patchFor(b, "cache", `
const cache = new Map<i32, string>();
let calls: i32 = 0;
export function describe(n: i32): string {
  calls++;
  const key = n % 100;
  if (!cache.has(key)) cache.set(key, "cached " + key.toString() + " of " + calls.toString());
  return cache.get(key);
}`);
    const id = await host.loadHP({ hp_bytes: cache });
    const first = new Map<number, string>();
    for (let i = 0; i < ROUNDS; i++) {
      const s = str(x.describe(i));
      if (i < 100) first.set(i, s);
      expect(s).toBe(first.get(i % 100));
      if (i % 100 === 0) x.__collect();
    }
    expect(first.get(5)).toBe("cached 5 of 6");
    await host.unloadHP(id);
    expect(str(x.describe(5))).toBe("item 5");
  });
});

describe("new classes", () => {
  const common = `
import { Shape } from "../assembly/index";
export class Circle extends Shape {
  constructor(public r: f64) { super(); }
  area(): f64 { return 3.0 * this.r * this.r; }
}
export class Tag { constructor(public text: string) {} }`;
  const shapes = (scale: string) => `
import { shapes } from "../assembly/index";
import { Circle, Tag } from "./common";
export function addSquareish(): i32 {
  const words = "a,b,c".split(",");
  const seen = new Map<string, Tag>();
  for (let i = 0; i < words.length; i++) seen.set(words[i], new Tag(words[i].toUpperCase()));
  shapes.push(new Circle(<f64>seen.size * ${scale}));
  return shapes.length;
}`;
  const files = { "patches/common.ts": common };

  test("a patch's own classes and library classes the base never used, under forced collections, unloaded while referenced", async () => {
    const b = await base();
    const { host, x } = await hostOf(b);
    const p = await patchFor(b, "shapes", shapes("1.0"), undefined, files);
    x.addSquareish();
    const id = await host.loadHP({ hp_bytes: p });
    const info = host.getHPInfo()[0]!;
    expect(info.classes).toEqual(expect.arrayContaining(["patches/common/Circle", "patches/common/Tag", "~lib/map/Map<~lib/string/String,patches/common/Tag>"]));
    for (let i = 0; i < 500; i++) {
      x.addSquareish();
      if (i % 50 === 0) x.__collect();
    }
    expect(x.shapeCount()).toBe(501);
    expect(x.totalArea()).toBe(1 + 500 * 27); // the app's own loop reaches Circle#area through the replaced virtual-call stub
    await host.unloadHP(id);
    // Circles are still in the app's array: the patch is kept for them.
    const kept = host.getHPInfo();
    expect(kept.map((p) => [p.hp_id, p.state])).toEqual([[id, "retained"]]);
    expect(kept[0]!.retained_reason).toMatch(/live objects of .*Circle/);
    for (let i = 0; i < 20; i++) x.__collect();
    expect(x.shapeCount()).toBe(501);
    expect(x.totalArea()).toBe(1); // the app's own stub again: circles count as plain shapes
    x.clearShapes();
    expect(await host.releaseRetained()).toEqual([]);
    expect(host.getHPInfo()).toEqual([]);
    for (let i = 0; i < 20; i++) { x.addSquareish(); x.__collect(); }
    expect(x.totalArea()).toBe(20);
  });

  test("two patches sharing their classes can both be in force, in any unload order", async () => {
    const b = await base();
    const { host, x } = await hostOf(b);
    const a = await host.loadHP({ hp_bytes: await patchFor(b, "shapes", shapes("1.0"), undefined, files) });
    const c = await host.loadHP({ hp_bytes: await patchFor(b, "shapes2", shapes("2.0"), undefined, files) });
    for (let i = 0; i < 100; i++) { x.addSquareish(); if (i % 10 === 0) x.__collect(); }
    expect(x.totalArea()).toBe(100 * 108);
    await host.unloadHP(c);
    expect(host.getHPInfo().map((p) => p.state)).toEqual(["loaded"]); // the circles are covered by the other patch
    x.addSquareish();
    x.__collect();
    expect(x.totalArea()).toBe(100 * 108 + 27);
    await host.unloadHP(a);
    expect(host.getHPInfo().map((p) => p.state)).toEqual(["retained"]);
    x.clearShapes();
    expect(await host.releaseRetained()).toEqual([]);
  });
});

test("1,000 load / unload / reload cycles: arena and table reused, memory bounded", async () => {
  const b = await base();
  const { host, x, str } = await hostOf(b);
  const p = await patchFor(b, "concat", `export function describe(n: i32): string { return "patched item " + n.toString() + "!"; }`);
  const table = host.instance.exports["hotwasm:table"] as WebAssembly.Table;
  const memory = x.memory as WebAssembly.Memory;
  const run = async () => {
    const id = await host.loadHP({ hp_bytes: p });
    expect(str(x.describe(3))).toBe("patched item 3!");
    await host.unloadHP(id);
  };
  for (let i = 0; i < 50; i++) await run();
  (globalThis as { gc?: () => void }).gc?.();
  const before = { heap: process.memoryUsage().heapUsed, pages: memory.buffer.byteLength, table: table.length };
  for (let i = 0; i < 1000; i++) await run();
  (globalThis as { gc?: () => void }).gc?.();
  const after = { heap: process.memoryUsage().heapUsed, pages: memory.buffer.byteLength, table: table.length };
  expect(str(x.describe(3))).toBe("item 3");
  expect(host.getHPInfo()).toEqual([]);
  expect(after.table).toBe(before.table);
  expect(after.pages).toBe(before.pages);
  console.log(`1,000 cycles: JS heap ${((after.heap - before.heap) / 1024).toFixed(0)} KiB, Wasm memory +${after.pages - before.pages} bytes, table +${after.table - before.table} slots`);
  expect(after.heap - before.heap).toBeLessThan(8 * 1024 * 1024);
});
