// `hotwasm diff` of new fields in a generic class: a program holding boxes of two instantiations
// (`Box<i32>`, `Box<string>`) is patched with an edit adding `hits: i32 = 0`, `last: T` and
// `history: T[] = []`, which the edited methods use. Old boxes read the initial values, new ones
// get theirs at construction, each box and each instantiation keeps its own values; a string held
// only by shadow fields survives collections; a freed box's address reused starts afresh; unload
// brings the base's behaviour back and drops the storage. Then the new fields that stay refused.

import { beforeAll, describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildDiff, type DiffResult } from "../../../compiler/diff/build-diff.js";
import { Host } from "../../../host/core/host.js";
import type { HostEvent } from "../../../host/model/events.js";
import { FINALIZE_FUNCTION } from "../../../host/model/hook-names.js";
import { buildApp } from "../../helpers/build.js";

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/boxes/${name}.ts`, import.meta.url)), "utf8");
const baseSource = fixture("base");
const ENTRY = "assembly/index.ts";
const FIELDS = ["assembly/index/Box.hits", "assembly/index/Box.last", "assembly/index/Box.history"];

type Exports = Record<string, any>;

let base: Uint8Array;
let diff: DiffResult;
beforeAll(async () => {
  base = await buildApp({ [ENTRY]: baseSource });
  diff = await buildDiff({ base, files: { [ENTRY]: fixture("edited") } });
}, 120_000);

/** The itcms collector's count of bytes in use. */
function heapBytes(host: Host): number {
  const g = host.manifest.globals.find((x) => x.name === "~lib/rt/itcms/total")!;
  return Number((host.instance.exports[g.export] as WebAssembly.Global).value);
}

const collect = (x: Exports) => { x.__collect(); x.__collect(); };

/** A host over the base with two boxes of each instantiation made (and one put) before any patch. */
async function hostWithBoxes(): Promise<{ host: Host; x: Exports; s: (v: string) => number; show: (kind: "Int" | "Str", i: number) => string }> {
  const host = await Host.instantiate(base);
  const x = host.exports;
  const s = (v: string) => x.__newString(v) as number;
  x.addInt(5);
  x.addInt(8);
  x.addStr(s("a"));
  x.addStr(s("b"));
  expect(x.putInt(1, 9)).toBe(1);
  return { host, x, s, show: (kind, i) => x.__getString(x[`show${kind}`](i)) };
}

describe("new fields in a generic class, per instantiation", () => {
  test("the report lists the class's new fields; every instantiation's edited methods change", () => {
    const r = diff.report;
    expect(r.fields).toEqual(FIELDS);
    expect(r.changed).toEqual([
      "assembly/index/Box<i32>#constructor", "assembly/index/Box<i32>#describe", "assembly/index/Box<i32>#put",
      "assembly/index/Box<~lib/string/String>#constructor", "assembly/index/Box<~lib/string/String>#describe", "assembly/index/Box<~lib/string/String>#put",
    ]);
    expect(r.added.some((n) => n.includes("Hotwasm"))).toBe(false);
    expect(diff.patch!.meta.link!.shadow_fields).toEqual(FIELDS);
  });

  test("old boxes read the initial values, new ones get theirs at construction; values read back per box and per instantiation", async () => {
    const { host, x, s, show } = await hostWithBoxes();
    const events: HostEvent[] = [];
    host.on((e) => events.push(e));
    await host.loadHP({ hp_bytes: diff.patch!.binary });
    expect(events.map((e) => e.type)).toEqual(["load-begin", "commit", "loaded"]);
    // Made before the patch: `hits` reads its initialiser, `last` its type's default, `history` a new array.
    expect([show("Int", 0), show("Int", 1), show("Str", 0)]).toEqual(["5 hits 0 last 0 of 0", "9 hits 0 last 0 of 0", "a hits 0 last - of 0"]);
    expect([x.putInt(0, 6), x.putInt(0, 7), x.putStr(0, s("x"))]).toEqual([1, 2, 1]);
    expect([show("Int", 0), show("Int", 1), show("Str", 0), show("Str", 1)])
      .toEqual(["7 hits 2 last 6 of 2", "9 hits 0 last 0 of 0", "x hits 1 last a of 1", "b hits 0 last - of 0"]);
    // Made under the patch: the constructor sets `last`, and `history` is made at construction.
    expect([x.addInt(11), x.addStr(s("n"))]).toEqual([2, 2]);
    expect([show("Int", 2), show("Str", 2)]).toEqual(["11 hits 0 last 11 of 0", "n hits 0 last n of 0"]);
    expect([x.putInt(2, 12), x.putStr(2, s("o")), x.putStr(2, s("p"))]).toEqual([1, 1, 2]);
    collect(x);
    expect([show("Int", 0), show("Int", 2), show("Str", 0), show("Str", 2)])
      .toEqual(["7 hits 2 last 6 of 2", "12 hits 1 last 11 of 1", "x hits 1 last a of 1", "p hits 2 last o of 2"]);
    expect(host.getHPInfo()[0]!.shadow).toEqual({ fields: FIELDS, entries: expect.any(Number) });
  });

  test("strings held only by shadow fields survive collections; after unload they are freed", async () => {
    const { host, x, s, show } = await hostWithBoxes();
    const id = await host.loadHP({ hp_bytes: diff.patch!.binary });
    collect(x);
    const loaded = heapBytes(host);
    // 400 strings of 100 characters, each put and then replaced: `last` and `history` hold them.
    const text = (i: number) => `held-${i}-`.padEnd(100, "z");
    for (let i = 0; i < 400; i++) x.putStr(0, s(text(i)));
    x.putStr(0, s("now"));
    collect(x);
    const grown = heapBytes(host);
    expect(grown - loaded).toBeGreaterThan(400 * 200);
    // Memory freed meanwhile is reused: a string freed too early would read back changed.
    expect(x.churn(2000)).toBe(2000);
    collect(x);
    expect(show("Str", 0)).toBe(`now hits 401 last ${text(399)} of 401`);
    await host.unloadHP(id);
    collect(x);
    // What stays is what the base holds: the box's string "now" replaced its "a".
    expect(heapBytes(host)).toBeLessThan(loaded + 64);
    expect(show("Str", 0)).toBe("now");
  });

  test("a box freed and its address reused does not inherit its entries; the storage goes back to its size", async () => {
    const { host, x, s, show } = await hostWithBoxes();
    await host.loadHP({ hp_bytes: diff.patch!.binary });
    x.putInt(0, 1);
    x.putStr(0, s("c"));
    collect(x);
    const entries = () => host.getHPInfo()[0]!.shadow!.entries;
    const start = entries();
    expect([x.addInt(3), x.addStr(s("d")), x.putInt(2, 4), x.putStr(2, s("e"))]).toEqual([2, 2, 1, 1]);
    expect(entries()).toBe(start + 6);
    x.dropLast();
    collect(x);
    expect(entries()).toBe(start);
    // churn() returns -1 as soon as a new box's first put counts more than one.
    expect(x.churn(20_000)).toBe(20_000);
    collect(x);
    expect(entries()).toBe(start);
    expect(show("Int", 0)).toBe("1 hits 1 last 5 of 1");
  });

  test("the control: with the free-object hook switched off, a reused address reads the freed box's values", async () => {
    const { host, x } = await hostWithBoxes();
    await host.loadHP({ hp_bytes: diff.patch!.binary });
    const hook = host.manifest.functions.find((f) => f.name === FINALIZE_FUNCTION)!;
    const flag = host.instance.exports[hook.flag!] as WebAssembly.Global;
    expect(flag.value).toBe(1);
    flag.value = 0; // the base's hook no longer dispatches to the patch's
    expect(x.churn(20_000)).toBe(-1);
  });

  test("unload brings the base's behaviour back and drops the storage: loaded again, every box starts from the initial values", async () => {
    const { host, x, s, show } = await hostWithBoxes();
    let id = await host.loadHP({ hp_bytes: diff.patch!.binary });
    x.putInt(0, 6);
    x.putStr(0, s("x"));
    x.addInt(11);
    x.putInt(2, 12);
    expect([show("Int", 0), show("Str", 0), show("Int", 2)]).toEqual(["6 hits 1 last 5 of 1", "x hits 1 last a of 1", "12 hits 1 last 11 of 1"]);
    await host.unloadHP(id);
    expect(host.getHPInfo()).toEqual([]);
    expect([x.putInt(0, 7), show("Int", 0), show("Str", 0), show("Int", 2)]).toEqual([1, "7", "x", "12"]);
    collect(x);
    id = await host.loadHP({ hp_bytes: diff.patch!.binary });
    expect(host.getHPInfo()[0]!.shadow!.entries).toBe(0);
    expect([show("Int", 0), show("Str", 0), show("Int", 2)]).toEqual(["7 hits 0 last 0 of 0", "x hits 0 last - of 0", "12 hits 0 last 0 of 0"]);
    await host.unloadHP(id);
  });
});

describe("new fields of generic classes that stay refused, each with its cause", () => {
  const source = `export class Box<T> {
  constructor(public value: T) {}
}
@unmanaged export class Pair<T> {
  a: T;
  b: T;
}
const boxes: Box<i32>[] = [];
export function put(v: i32): i32 { boxes.push(new Box<i32>(v)); return boxes.length; }
export function sum(a: i32, b: i32): i32 { const p = new Pair<i32>(); p.a = a; p.b = b; const r = p.a + p.b; heap.free(changetype<usize>(p)); return r; }
`;
  let refusalBase: Uint8Array;
  beforeAll(async () => { refusalBase = await buildApp({ [ENTRY]: source }); }, 120_000);
  const edit = (from: string, to: string) => {
    if (!source.includes(from)) throw new Error(`fixture has no ${from}`);
    return source.replace(from, to);
  };

  test.each([
    ["a constructor parameter", edit("constructor(public value: T) {}", "constructor(public value: T, public extra: i32 = 0) {}"),
      "field Box.extra is new as a constructor parameter, which changes the constructor's signature; declare it in the class body"],
    ["a field of an @unmanaged class", edit("  b: T;\n", "  b: T;\n  c: T;\n"),
      "field Pair.c is new in an @unmanaged class, whose objects the collector never frees; a shadow field cannot follow them"],
    ["a decorated field", edit("constructor(public value: T) {}", "@unsafe seen: i32 = 0;\n  constructor(public value: T) {}"),
      "field Box.seen is new and has a decorator; a shadow field cannot"],
  ])("%s: E_LAYOUT_MISMATCH", async (_, edited, message) => {
    const err = await buildDiff({ base: refusalBase, files: { [ENTRY]: edited } })
      .then(() => null, (e: { code: string; details: { problems: { code: string; message: string }[] } }) => e);
    expect(err?.code).toBe("E_LAYOUT_MISMATCH");
    expect(err!.details.problems.map((p) => `${p.code} ${p.message}`)).toContain(`E_LAYOUT_MISMATCH ${ENTRY}: ${message}`);
  });
});
