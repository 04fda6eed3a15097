// `hotwasm diff` of edits that add classes and fields (issue 16): a program holding live objects
// (managed fields, an array and a map of them) is patched with an edit that adds a class, a
// generic instantiation, two fields (one primitive, one managed) and a migration. Old and new
// objects behave as a plain build of the edited source would after the same operations (objects
// created before the patch see the initial values), across forced collections; after unload the
// program behaves as the base again, and what only shadow fields held is freed. A million objects
// churned under the patch leak nothing and never read another object's shadow value.

import { beforeAll, describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildDiff, type DiffResult } from "../../../compiler/diff/build-diff.js";
import { Host } from "../../../host/core/host.js";
import type { HostEvent } from "../../../host/model/events.js";
import { FINALIZE_FUNCTION } from "../../../host/model/hook-names.js";
import { buildApp, instantiatePlainApp } from "../../helpers/build.js";

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/inventory/${name}.ts`, import.meta.url)), "utf8");
const baseSource = fixture("base");
const editedSource = fixture("edited");
const ENTRY = "assembly/index.ts";

type Exports = Record<string, any>;

let base: Uint8Array;
let diff: DiffResult;
beforeAll(async () => {
  base = await buildApp({ [ENTRY]: baseSource });
  diff = await buildDiff({ base, files: { [ENTRY]: editedSource } });
}, 240_000);

/** The itcms collector's count of bytes in use. */
function heapBytes(host: Host): number {
  const g = host.manifest.globals.find((x) => x.name === "~lib/rt/itcms/total")!;
  return Number((host.instance.exports[g.export] as WebAssembly.Global).value);
}

const collect = (x: Exports) => { x.__collect(); x.__collect(); };

/** Before the patch: items in stock, one dropped, one used (base-visible state only). */
function before(x: Exports): unknown[] {
  const s = (v: string) => x.__newString(v);
  const out: unknown[] = [];
  for (const [name, qty] of [["apple", 12], ["avocado", 3], ["bread", 20], ["cheese", 7], ["eggs", 9]] as const) out.push(x.add(s(name), qty));
  out.push(x.drop(s("eggs")));
  collect(x);
  out.push(x.__getString(x.label(s("apple"))), x.__getString(x.report()));
  return out;
}

/** While patched (or in the edited program): old and new objects read and write the new fields. */
function during(x: Exports): unknown[] {
  const s = (v: string) => x.__newString(v);
  const g = (p: number) => x.__getString(p);
  const out: unknown[] = [];
  out.push(g(x.label(s("apple"))), g(x.label(s("avocado"))), g(x.label(s("bread"))));
  out.push(x.use(s("apple"), 1), x.use(s("avocado"), 1), x.use(s("apple"), 2));
  collect(x);
  out.push(g(x.label(s("apple"))), x.add(s("dates"), 30), x.use(s("dates"), 4), g(x.label(s("dates"))), x.drop(s("cheese")));
  out.push(x.churn(2000));
  collect(x);
  out.push(x.add(s("figs"), 2), x.use(s("figs"), 1), x.use(s("bread"), 5));
  for (let i = 0; i < 50; i++) { x.add(s(`n${i}`), i); x.use(s(`n${i}`), 1); if (i % 2 === 0) x.drop(s(`n${i}`)); }
  collect(x);
  out.push(g(x.report()));
  return out;
}

/** After unload (or in the base program): the base's code over the same state. */
function after(x: Exports): unknown[] {
  const s = (v: string) => x.__newString(v);
  const out: unknown[] = [x.use(s("apple"), 1), x.__getString(x.label(s("dates"))), x.churn(500)];
  collect(x);
  out.push(x.add(s("grapes"), 4), x.__getString(x.report()));
  return out;
}

describe("an edit adding a class, a generic instantiation, two fields and a migration", () => {
  test("the report lists the new classes, the shadow fields and the migration", () => {
    const r = diff.report;
    expect(r.changed).toEqual(["assembly/index/Item#constructor", "assembly/index/Item#label", "assembly/index/Item#use", "assembly/index/churn", "assembly/index/report"]);
    expect(r.fields).toEqual(["assembly/index/Item.uses", "assembly/index/Item.history"]);
    expect(r.migrate).toBe("assembly/index/backfill");
    expect(r.classes).toEqual(expect.arrayContaining(["assembly/index/Receipt", "~lib/map/Map<~lib/string/String,i32>", "~lib/array/Array<~lib/string/String>"]));
    expect(r.added).toContain("assembly/index/Receipt#describe");
    expect(r.added.some((n) => n.includes("hotwasm"))).toBe(false);
    const link = diff.patch!.meta.link!;
    expect(link.shadow_fields).toEqual(r.fields);
    // Every class of the base keeps its id; the new ones come after.
    expect(Math.min(...link.classes.map((c) => c.id))).toBe(link.base_classes);
  });

  test("old and new objects behave as in a plain build of the edited source; after unload, as the base", async () => {
    const plainBase = await instantiatePlainApp(baseSource);
    // The plain edited program runs the migration where the patch is loaded.
    const plainEdited = await instantiatePlainApp(`${editedSource}\nexport function runMigration(): void { backfill(); }\n`);
    const host = await Host.instantiate(base);
    const x = host.exports;
    const events: HostEvent[] = [];
    host.on((e) => events.push(e));

    expect(before(x)).toEqual(before(plainBase));
    before(plainEdited);
    const id = await host.loadHP({ hp_bytes: diff.patch!.binary });
    plainEdited.runMigration();
    expect(events.map((e) => e.type === "hook" ? `hook ${e.hook} ${e.ok}` : e.type)).toEqual(["load-begin", "hook hotwasm:migrate true", "commit", "loaded"]);

    const patched = during(x);
    expect(patched).toEqual(during(plainEdited));
    // Objects created before the patch read the initial values (bread: 0 uses, history from the migration).
    expect(patched[2]).toBe("bread x20 used 0 last stock-20");
    expect(patched[1]).toBe("avocado x3 used 0 last -");
    const info = host.getHPInfo()[0]!;
    expect(info.shadow!.fields).toEqual(["assembly/index/Item.uses", "assembly/index/Item.history"]);
    expect(info.shadow!.entries).toBeGreaterThan(0);

    await host.unloadHP(id);
    during(plainBase);
    const unpatched = after(x);
    expect(unpatched).toEqual(after(plainBase));
    expect(unpatched[1]).toBe("dates x26");
    expect(host.getHPInfo()).toEqual([]);
  });

  test("unloading drops the shadow storage: loaded again, every object starts from the initial values", async () => {
    const host = await Host.instantiate(base);
    const x = host.exports;
    const s = (v: string) => x.__newString(v);
    x.add(s("kiwi"), 4);
    let id = await host.loadHP({ hp_bytes: diff.patch!.binary });
    x.use(s("kiwi"), 1);
    x.add(s("lime"), 5);
    x.use(s("lime"), 2);
    expect(x.__getString(x.label(s("lime")))).toBe("lime x3 used 1 last lime-2");
    const entries = host.getHPInfo()[0]!.shadow!.entries;
    await host.unloadHP(id);
    collect(x);
    expect(x.__getString(x.label(s("kiwi")))).toBe("kiwi x3");
    id = await host.loadHP({ hp_bytes: diff.patch!.binary });
    expect(host.getHPInfo()[0]!.shadow!.entries).toBeLessThan(entries);
    expect(x.__getString(x.label(s("kiwi")))).toBe("kiwi x3 used 0 last -");
    expect(x.__getString(x.label(s("lime")))).toBe("lime x3 used 0 last -");
    await host.unloadHP(id);
  });

  test("after unload the shadow entries are no longer roots: what only they held is freed", async () => {
    const host = await Host.instantiate(base);
    const x = host.exports;
    const s = (v: string) => x.__newString(v);
    for (let i = 0; i < 20; i++) x.add(s(`k${i}`), 1000);
    const id = await host.loadHP({ hp_bytes: diff.patch!.binary });
    collect(x);
    const loaded = heapBytes(host);
    // 4,000 receipts' strings, held only by the items' shadow field `history`.
    for (let r = 0; r < 200; r++) for (let i = 0; i < 20; i++) x.use(s(`k${i}`), 1);
    collect(x);
    const grown = heapBytes(host);
    expect(grown - loaded).toBeGreaterThan(4000 * 20);
    await host.unloadHP(id);
    collect(x);
    expect(host.getHPInfo()).toEqual([]);
    expect(heapBytes(host)).toBeLessThan(loaded);
    expect(x.__getString(x.label(s("k3")))).toBe("k3 x800");
  });
});

describe("churn", () => {
  const COUNT = 1_000_000;

  test(`${COUNT.toLocaleString("en")} objects created and dropped under the patch: no freed-then-reused object reads another's shadow value, storage and heap back to their size`, async () => {
    const host = await Host.instantiate(base);
    const x = host.exports;
    const s = (v: string) => x.__newString(v);
    for (const name of ["apple", "bread", "cheese"]) x.add(s(name), 12);
    const id = await host.loadHP({ hp_bytes: diff.patch!.binary });
    x.use(s("apple"), 1);
    x.__getString(x.report());
    collect(x);
    const start = { heap: heapBytes(host), entries: host.getHPInfo()[0]!.shadow!.entries };
    // churn() returns -1 as soon as a new item reads a value other than the initial one.
    const expected = Number(BigInt.asIntN(32, BigInt(((COUNT - 1) * COUNT) / 2 - COUNT))); // an i32 sum wraps
    expect(x.churn(COUNT)).toBe(expected);
    collect(x);
    const end = { heap: heapBytes(host), entries: host.getHPInfo()[0]!.shadow!.entries };
    expect(end.entries).toBe(start.entries);
    // What stays is the last receipt and its strings (a global of the patch holds them).
    expect(end.heap - start.heap).toBeLessThan(512);
    await host.unloadHP(id);
    collect(x);
    expect(x.churn(1000)).toBe(((999 * 1000) / 2) - 1000);
  }, 120_000);

  test("the control: with the free-object hook switched off, a reused address reads the old object's value", async () => {
    const host = await Host.instantiate(base);
    const x = host.exports;
    await host.loadHP({ hp_bytes: diff.patch!.binary });
    const hook = host.manifest.functions.find((f) => f.name === FINALIZE_FUNCTION)!;
    const flag = host.instance.exports[hook.flag!] as WebAssembly.Global;
    expect(flag.value).toBe(1);
    flag.value = 0; // the base's hook no longer dispatches to the patch's
    expect(x.churn(100_000)).toBe(-1);
  });
});
