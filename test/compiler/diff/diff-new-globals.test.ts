// `hotwasm diff` of edits that add globals whose initialisers are not constants (a static Map on a
// class of the running program, a top-level global computed by a call): the patch runs their
// initialisers once at load, in source order, before its migration and before the swap; the
// program holding state answers as a plain build of the edited source on the same state, what
// the new globals hold survives collections, and unload gives the old behaviour and frees it.
// Refused: an existing global's changed initialiser, a top-level statement that initialises no
// new global, each named; an initialiser that traps refuses the load and changes nothing.

import { beforeAll, describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildDiff, type DiffResult } from "../../../compiler/diff/build-diff.js";
import { Host } from "../../../host/core/host.js";
import type { HostEvent } from "../../../host/model/events.js";
import { buildApp, instantiatePlainApp } from "../../helpers/build.js";

const baseSource = readFileSync(fileURLToPath(new URL("../../fixtures/inventory/base.ts", import.meta.url)), "utf8");
const ENTRY = "assembly/index.ts";
type Exports = Record<string, any>;

const edit = (source: string, ...pairs: [string, string][]) => pairs.reduce((s, [from, to]) => {
  if (!s.includes(from)) throw new Error(`fixture has no ${from}`);
  return s.replace(from, to);
}, source);

// A static Map on an existing class; a constant list; a global whose initialiser uses the Map
// (so it must run after the Map's); an edited method using all three.
const editedSource = edit(baseSource,
  ["export class Item {\n", "export class Item {\n  static cache: Map<string, i32> = new Map();\n"],
  ["export const items: Item[] = [];", `export const items: Item[] = [];
let names: string[] = ["a", "b"];
const seeded: i32 = seed();

function seed(): i32 {
  Item.cache.set("seed", 0);
  return Item.cache.size;
}`],
  [`    return this.name + " x" + this.qty.toString();`,
    `    Item.cache.set(this.name + "#" + this.qty.toString(), this.qty);
    return names.join("/") + " " + this.name + " x" + this.qty.toString() + " (" + (Item.cache.size - seeded).toString() + " seen)";`]);

let base: Uint8Array;
let diff: DiffResult;
beforeAll(async () => {
  base = await buildApp({ [ENTRY]: baseSource });
  diff = await buildDiff({ base, files: { [ENTRY]: editedSource } });
}, 240_000);

const transcript = (events: HostEvent[]) => events.map((e) => e.type === "hook" ? `hook ${e.hook} ${e.ok}` : e.type === "refused" ? `refused ${e.code}` : e.type);

/** Bytes in use by the itcms collector. */
function heapBytes(host: Host): number {
  const g = host.manifest.globals.find((x) => x.name === "~lib/rt/itcms/total")!;
  return Number((host.instance.exports[g.export] as WebAssembly.Global).value);
}

/** The base's shadow-stack pointer. */
function stackPointer(host: Host): number {
  const g = host.manifest.globals.find((x) => x.name === "~lib/memory/__stack_pointer")!;
  return Number((host.instance.exports[g.export] as WebAssembly.Global).value);
}

/** State built before the patch. */
function setUp(x: Exports): unknown[] {
  const s = (v: string) => x.__newString(v);
  return [x.add(s("apple"), 12), x.add(s("bread"), 20), x.add(s("cheese"), 7), x.drop(s("cheese")), x.use(s("apple"), 2)];
}

/** Reads and changes the state, with collections and churn in between. */
function probe(x: Exports): unknown[] {
  const s = (v: string) => x.__newString(v);
  const g = (p: number) => x.__getString(p);
  const out: unknown[] = [g(x.label(s("apple"))), g(x.label(s("bread")))];
  x.__collect();
  out.push(x.churn(2000));
  x.__collect();
  out.push(x.add(s("figs"), 2), g(x.label(s("figs"))), x.use(s("apple"), 1), g(x.label(s("apple"))), g(x.report()));
  return out;
}

describe("an edit adding a static Map and top-level globals", () => {
  test("the report lists the new globals the patch initialises, in source order", () => {
    expect(diff.report.initialisers).toEqual(["assembly/index/Item.cache", "assembly/index/seeded"]);
    expect(diff.report.changed).toEqual(["assembly/index/Item#label"]);
    expect(diff.report.added).toContain("assembly/index/seed");
  });

  test("loaded over state: answers as the plain edited build on the same state, through collections; unloaded, as the base", async () => {
    const host = await Host.instantiate(base);
    const x = host.exports;
    const [plain, old] = await Promise.all([instantiatePlainApp(editedSource), instantiatePlainApp(baseSource)]);
    expect(setUp(x)).toEqual(setUp(plain));
    setUp(old);
    const events: HostEvent[] = [];
    host.on((e) => events.push(e));
    const id = await host.loadHP({ hp_bytes: diff.patch!.binary });
    expect(transcript(events)).toEqual(["load-begin", "hook hotwasm:init_globals true", "commit", "loaded"]);
    const patched = probe(x);
    expect(patched).toEqual(probe(plain));
    expect(patched[0]).toBe("a/b apple x10 (1 seen)");
    // The state is the program's: the base's own code sees it.
    expect([x.use(x.__newString("apple"), 0), x.use(x.__newString("bread"), 0), x.use(x.__newString("figs"), 0)]).toEqual([9, 20, 2]);
    await host.unloadHP(id);
    probe(old);
    expect(probe(x)).toEqual(probe(old));
    expect(x.__getString(x.label(x.__newString("apple")))).toBe("apple x8");
  });

  test("what the new globals hold lives while the patch is in force and is freed after unload", async () => {
    const host = await Host.instantiate(base);
    const x = host.exports;
    const s = (v: string) => x.__newString(v);
    setUp(x);
    const id = await host.loadHP({ hp_bytes: diff.patch!.binary });
    // 300 entries whose keys only the cache holds, then collections and churn over freed memory.
    for (let i = 0; i < 300; i++) { x.add(s(`k${i}`), i); x.label(s(`k${i}`)); }
    for (let i = 0; i < 3; i++) { x.__collect(); x.churn(3000); }
    x.__collect();
    expect(x.__getString(x.label(s("k7")))).toBe("a/b k7 x7 (300 seen)");
    const held = heapBytes(host);
    await host.unloadHP(id);
    x.__collect();
    x.__collect();
    // The Map's buckets and entries and 300 keys of at least 24 bytes each.
    expect(held - heapBytes(host)).toBeGreaterThan(300 * 24);
    expect(x.__getString(x.label(s("k7")))).toBe("k7 x7");
  });

  test("with a migration: the initialisers run first, so the migration can use the new globals", async () => {
    const migrating = edit(editedSource, ["export function churn", `// @hotwasm-migrate
function warm(): i32 {
  for (let i = 0; i < items.length; i++) Item.cache.set(items[i].name, items[i].qty);
  return Item.cache.size == items.length + 1 ? 0 : 1;
}

export function churn`]);
    const r = await buildDiff({ base, files: { [ENTRY]: migrating } });
    expect([r.report.initialisers, r.report.migrate]).toEqual([["assembly/index/Item.cache", "assembly/index/seeded"], "assembly/index/warm"]);
    const host = await Host.instantiate(base);
    const x = host.exports;
    setUp(x);
    const events: HostEvent[] = [];
    host.on((e) => events.push(e));
    await host.loadHP({ hp_bytes: r.patch!.binary });
    expect(transcript(events)).toEqual(["load-begin", "hook hotwasm:init_globals true", "hook hotwasm:migrate true", "commit", "loaded"]);
    expect(x.__getString(x.label(x.__newString("bread")))).toBe("a/b bread x20 (3 seen)");
  });
});

test("a new file whose top-level code initialises its globals, one a static field of a new class", async () => {
  const registry = `export const seen = new Map<string, i32>();
export class Tally { static all: Tally[] = [new Tally(1)]; constructor(public n: i32) {} }
`;
  const source = edit(baseSource, ["export class Tag", `import { seen, Tally } from "./registry";\n\nexport class Tag`],
    ["export function use(name: string, n: i32): i32 {\n", "export function use(name: string, n: i32): i32 {\n  seen.set(name, n);\n  Tally.all.push(new Tally(n));\n  if (n == 0) return seen.size * 1000 + Tally.all.length;\n"]);
  const r = await buildDiff({ base, files: { [ENTRY]: source, "assembly/registry.ts": registry } });
  expect(r.report.initialisers).toEqual(["assembly/registry/seen", "assembly/registry/Tally.all"]);
  const host = await Host.instantiate(base);
  const x = host.exports;
  setUp(x);
  const id = await host.loadHP({ hp_bytes: r.patch!.binary });
  x.use(x.__newString("apple"), 1);
  x.__collect();
  expect(x.use(x.__newString("bread"), 0)).toBe(2003);
  await host.unloadHP(id);
  expect(x.use(x.__newString("bread"), 0)).toBe(20);
});

describe("edits of top-level code that stay refused, each named", () => {
  const problemsOf = async (source: string) => {
    const err = await buildDiff({ base, files: { [ENTRY]: source } }).then(() => null, (e: { code: string; details: { problems: { code: string; message: string; at?: string | null }[] } }) => e);
    if (!err) throw new Error("expected a refusal");
    expect(err.code).toBe("E_GLOBAL_INIT_CHANGED");
    return err.details.problems;
  };

  test("an existing global's initialiser changed (not a constant): the global, where it is declared", async () => {
    const problems = await problemsOf(edit(editedSource,
      ["export const byName = new Map<string, Item>();", "function index(): Map<string, Item> { return new Map<string, Item>(); }\nexport const byName = index();"]));
    expect(problems.map((p) => [p.code, p.message, p.at])).toEqual([
      ["E_GLOBAL_INIT_CHANGED", "the initialiser of global assembly/index/byName changed; it ran once at start and cannot run again", expect.stringMatching(/^assembly\/index\.ts:\d+:\d+$/)],
    ]);
  });

  test.each([
    ["a bare call", ["export function add", "churn(3);\n\nexport function add"], "a call to assembly/index/churn"],
    ["a statement after a new global's initialisation", ["export function add", "const extra = new Map<i32, i32>();\nextra.set(1, 2);\n\nexport function add"], "a call to ~lib/map/Map<i32,i32>#set"],
  ] as [string, [string, string], string][])("%s: the statement", async (_, pair, what) => {
    const problems = await problemsOf(edit(editedSource, pair));
    expect(problems.map((p) => [p.code, p.message])).toEqual([
      ["E_GLOBAL_INIT_CHANGED", `top-level code of assembly/index has a new statement: ${what}; it ran once at start and cannot run again`],
    ]);
  });
});

describe("an initialiser that traps", () => {
  test("refuses the load with E_MIGRATION_FAILED: nothing switched, the program runs on; loads where it does not trap", async () => {
    const trapping = edit(baseSource,
      ["export function add", "function count(): i32 {\n  if (items.length > 0) unreachable();\n  return 100;\n}\nconst offset: i32 = count();\n\nexport function add"],
      ["  return items.length;\n}\n\nexport function drop", "  return items.length + offset;\n}\n\nexport function drop"]);
    const r = await buildDiff({ base, files: { [ENTRY]: trapping } });
    expect(r.report.initialisers).toEqual(["assembly/index/offset"]);
    const host = await Host.instantiate(base);
    const x = host.exports;
    setUp(x);
    const sp = stackPointer(host);
    const events: HostEvent[] = [];
    host.on((e) => events.push(e));
    const err = await host.loadHP({ hp_bytes: r.patch!.binary }).catch((e: { code: string; message: string }) => e);
    expect(err).toMatchObject({ code: "E_MIGRATION_FAILED", message: expect.stringMatching(/^the initialisers of the patch's new globals failed \(trapped: /) });
    expect(transcript(events)).toEqual(["load-begin", "hook hotwasm:init_globals false", "refused E_MIGRATION_FAILED"]);
    expect(host.getHPInfo()).toEqual([]);
    expect(stackPointer(host)).toBe(sp);
    expect(x.add(x.__newString("dates"), 1)).toBe(3);
    x.__collect();
    expect(x.__getString(x.report())).toBe("apple x10; bread x20; dates x1; ");
    // A program with no items yet: the initialiser returns, and the patch is in force.
    const empty = await Host.instantiate(base);
    await empty.loadHP({ hp_bytes: r.patch!.binary });
    expect(empty.exports.add(empty.exports.__newString("dates"), 1)).toBe(101);
  });
});
