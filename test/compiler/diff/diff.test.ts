// `hotwasm diff`: a matrix of edits against one base build, each loaded into a running host and
// checked old -> new -> old; every edit a patch cannot apply, with its code; --only at module,
// class and function level.

import { beforeAll, describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildDiff } from "../../../compiler/diff/build-diff.js";
import { appSource, buildBase, hostOf } from "../../helpers/toolchain.js";
import { buildApp } from "../../helpers/build.js";
import { Host } from "../../../host/core/host.js";

let base: Uint8Array;
beforeAll(async () => { base = await buildBase(); });

const edit = (from: string, to: string) => {
  if (!appSource.includes(from)) throw new Error(`fixture has no ${from}`);
  return appSource.replace(from, to);
};
const diff = (source: string, only: string[] = []) => buildDiff({ base, files: { "assembly/index.ts": source }, only });

describe("edits that become patches", () => {
  type Probe = (h: Awaited<ReturnType<typeof hostOf>>) => unknown;
  const probe: Probe = ({ x, str, arg }) => [str(x.describe(3)), str(x.literal()), x.twice(3), str(x.lastLabel()), x.hit(), x.addItem(arg("p")), str(x.itemLabel(0))];
  const cases: [string, string, string[], string[], unknown[]][] = [
    ["a body change", edit(`return "item " + n.toString();`, `return "item #" + n.toString();`), ["assembly/index/describe"], [],
      ["item #3", "old", 8, "none", 1, 1, "p#1"]],
    ["a new string literal", edit(`return "old";`, `return "a brand new literal";`), ["assembly/index/literal"], [],
      ["item 3", "a brand new literal", 8, "none", 1, 1, "p#1"]],
    ["a new helper function", edit(`export function literal(): string { return "old"; }`, `function helper(): string { return "via helper"; }\nexport function literal(): string { return helper(); }`),
      ["assembly/index/literal"], ["assembly/index/helper"], ["item 3", "via helper", 8, "none", 1, 1, "p#1"]],
    ["a change in a method", edit(`return this.name + "#" + this.count.toString();`, `return this.name + "@" + this.count.toString();`), ["assembly/index/Item#label"], [],
      ["item 3", "old", 8, "none", 1, 1, "p@1"]],
    ["a change in a function only ever inlined", edit(`function bump(x: i32): i32 { return x + 1; }`, `function bump(x: i32): i32 { return x + 10; }`), ["assembly/index/bump"], [],
      ["item 3", "old", 26, "none", 1, 1, "p#1"]],
    ["three changes at once", edit(`return "old";`, `return "new";`).replace(`hits++; return hits;`, `hits += 100; return hits;`).replace(`const item = new Item(name, 1);`, `const item = new Item(name, 5);`),
      ["assembly/index/addItem", "assembly/index/hit", "assembly/index/literal"], [], ["item 3", "new", 8, "none", 100, 1, "p#5"]],
    ["a new class", edit(`export function literal(): string { return "old"; }`, `class Extra { s: string = "extra"; }\nexport function literal(): string { return new Extra().s; }`),
      ["assembly/index/literal"], ["assembly/index/Extra#constructor", "assembly/index/Extra#get:s", "assembly/index/Extra#set:s", "assembly/index/Extra~visit"], ["item 3", "extra", 8, "none", 1, 1, "p#1"]],
    ["a new global with a constant initialiser", edit(`export function literal(): string { return "old"; }`, `let suffix: string = "!";\nexport function literal(): string { return "old" + suffix; }`),
      ["assembly/index/literal"], [], ["item 3", "old!", 8, "none", 1, 1, "p#1"]],
  ];

  test.each(cases)("%s", async (_, source, changed, added, patched) => {
    const r = await diff(source);
    expect(r.report.changed).toEqual(changed);
    expect(r.report.added).toEqual(added);
    expect(r.patch).not.toBeNull();
    const h = await hostOf(base);
    const original = probe(h);
    const { host } = h;
    // Fresh state for the patched run and the run after unload: compare with a second host's first run.
    const fresh = await hostOf(base);
    const id = await fresh.host.loadHP({ hp_bytes: r.patch!.binary });
    expect(probe(fresh)).toEqual(patched);
    await fresh.host.unloadHP(id);
    const again = await hostOf(base);
    expect(probe(again)).toEqual(original);
    expect(host.getHPInfo()).toEqual([]);
    // old -> new -> old on one running host: the function that changed switches both ways.
    const name = changed[0]!.replace("assembly/index/", "");
    if (name === "literal") {
      const { x, str } = fresh;
      const id2 = await fresh.host.loadHP({ hp_bytes: r.patch!.binary });
      expect(str(x.literal())).toBe(patched[1]);
      await fresh.host.unloadHP(id2);
      expect(str(x.literal())).toBe("old");
    }
  });

  test("a rebuild with no change says so and builds nothing", async () => {
    const r = await diff(appSource);
    expect(r.report.changed).toEqual([]);
    expect(r.patch).toBeNull();
    expect(r.report.unchanged).toBeGreaterThan(20);
  });
});

describe("edits a patch cannot apply, listed together, nothing written", () => {
  test.each([
    ["a signature change", edit(`export function literal(): string {`, `export function literal(x: i32 = 0): string {`), "E_SIGNATURE_MISMATCH"],
    ["a field added", edit(`constructor(public name: string, public count: i32) {}`, `constructor(public name: string, public count: i32, public extra: i32 = 0) {}`), "E_LAYOUT_MISMATCH"],
    ["a field removed", edit(`constructor(public side: f64) { super(); }\n  area(): f64 { return this.side * this.side; }`, `constructor(side: f64) { super(); }\n  area(): f64 { return 1; }`), "E_LAYOUT_MISMATCH"],
    ["a field retyped", edit(`constructor(public side: f64) { super(); }`, `constructor(public side: f32) { super(); }`), "E_LAYOUT_MISMATCH"],
    ["a global retyped", edit(`export let hits: i32 = 0;\nexport function hit(): i32 { hits++; return hits; }`, `export let hits: f64 = 0;\nexport function hit(): i32 { hits++; return <i32>hits; }`), "E_GLOBAL_RETYPED"],
    ["a global's initialiser changed", edit(`export let hits: i32 = 0;`, `export let hits: i32 = 5;`), "E_GLOBAL_INIT_CHANGED"],
  ])("%s", async (_, source, code) => {
    const err = await diff(source).then(() => null, (e: { code: string; details: { problems: { code: string }[] } }) => e);
    expect(err).not.toBeNull();
    expect(err!.details.problems.map((p) => p.code)).toContain(code);
  });

  test("several rude edits are reported together", async () => {
    const source = edit(`export let hits: i32 = 0;`, `export let hits: i32 = 5;`).replace(`export function literal(): string {`, `export function literal(x: i32 = 0): string {`);
    const err = await diff(source).catch((e) => e);
    expect(err.details.problems.map((p: { code: string }) => p.code).sort()).toEqual(["E_GLOBAL_INIT_CHANGED", "E_SIGNATURE_MISMATCH"]);
  });
});

describe("--only", () => {
  const dir = fileURLToPath(new URL("../../fixtures/game/", import.meta.url));
  const index = readFileSync(`${dir}index.ts`, "utf8");
  const game = readFileSync(`${dir}game.ts`, "utf8");
  const files = { "assembly/index.ts": index, "assembly/game.ts": game };
  const edited = {
    "assembly/index.ts": index.replace("return 1;", "return 2;"),
    "assembly/game.ts": game.replace("this.pos += 1;", "this.pos += 3;").replace("return b.pos * 10;", "return b.pos * 100;"),
  };
  let gameBase: Uint8Array;
  beforeAll(async () => { gameBase = await buildApp(files, { entry: "assembly/index.ts" }); });
  const only = (globs: string[]) => buildDiff({ base: gameBase, files: edited, only: globs });

  test.each([
    ["a module", ["assembly/game/*"], ["assembly/game/Board#move", "assembly/game/score"]],
    ["a class", ["assembly/game/Board#*"], ["assembly/game/Board#move"]],
    ["a class, in any module", ["Board#*"], ["assembly/game/Board#move"]],
    ["one function", ["main1"], ["assembly/index/main1"]],
    ["everything", [], ["assembly/game/Board#move", "assembly/game/score", "assembly/index/main1"]],
  ])("%s", async (_, globs, selected) => {
    const r = await only(globs);
    expect(r.report.changed).toEqual(selected);
    const all = ["assembly/game/Board#move", "assembly/game/score", "assembly/index/main1"];
    expect(r.report.skipped).toEqual(all.filter((n) => !selected.includes(n)));
    const host = await Host.instantiate(gameBase);
    const id = await host.loadHP({ hp_bytes: r.patch!.binary });
    const moved = selected.includes("assembly/game/Board#move");
    const scored = selected.includes("assembly/game/score");
    expect(host.exports.play()).toBe((moved ? 3 : 1) * (scored ? 100 : 10));
    expect(host.exports.main1()).toBe(selected.includes("assembly/index/main1") ? 2 : 1);
    await host.unloadHP(id);
    expect(host.exports.main1()).toBe(1);
    expect(host.exports.play()).toBe(((moved ? 3 : 1) + 1) * 10);
  });
});
