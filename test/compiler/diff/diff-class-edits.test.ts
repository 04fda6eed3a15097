// Edits of classes and fields around the main case of diff-classes.test.ts: what stays refused
// (a field removed, reordered or retyped, named; a new class id another patch in force gives to
// another class), a migration that fails, shadow fields on the minimal and stub runtimes, and a
// migration in a patch written by hand (hotwasm patch). New fields of generic classes, and the
// new fields that cannot be shadow fields: diff-generic-fields.test.ts.

import { beforeAll, describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildDiff } from "../../../compiler/diff/build-diff.js";
import { Host } from "../../../host/core/host.js";
import type { HostEvent } from "../../../host/model/events.js";
import { buildApp } from "../../helpers/build.js";
import { buildBase, hostOf, patchFor } from "../../helpers/toolchain.js";

const baseSource = readFileSync(fileURLToPath(new URL("../../fixtures/inventory/base.ts", import.meta.url)), "utf8");
const ENTRY = "assembly/index.ts";

let base: Uint8Array;
beforeAll(async () => { base = await buildApp({ [ENTRY]: baseSource }); }, 120_000);

const edit = (source: string, ...pairs: [string, string][]) => pairs.reduce((s, [from, to]) => {
  if (!s.includes(from)) throw new Error(`fixture has no ${from}`);
  return s.replace(from, to);
}, source);
const problemsOf = async (source: string, on = base) => {
  const err = await buildDiff({ base: on, files: { [ENTRY]: source } }).then(() => null, (e: { code: string; details: { problems: { code: string; message: string }[] } }) => e);
  if (!err) throw new Error("expected a refusal");
  return err.details.problems;
};

test("a class added before the others keeps the base's ids: only the function that uses it changes", async () => {
  // The shape of a physics example where a new class moved Array<String> and Array<i32> (and so
  // changed String#split, which is not patchable).
  const app = `export function words(s: string): i32 { return s.split(" ").length; }
export function total(): i32 { const a: i32[] = [1, 2, 3]; return a[0] + a[1] + a[2]; }
export function area(r: f64): f64 { return r * r; }
`;
  const physicsBase = await buildApp({ [ENTRY]: app });
  const edited = `class Vec { constructor(public x: f64, public y: f64) {} len2(): f64 { return this.x * this.x + this.y * this.y; } }\n${app
    .replace(`return s.split(" ").length;`, `const v = new Vec(2, 0); return s.split(" ").length * <i32>v.len2();`)}`;
  const r = await buildDiff({ base: physicsBase, files: { [ENTRY]: edited } });
  expect(r.report.changed).toEqual(["assembly/index/words"]);
  expect(r.report.classes).toEqual(["assembly/index/Vec"]);
  const host = await Host.instantiate(physicsBase);
  const x = host.exports;
  const id = await host.loadHP({ hp_bytes: r.patch!.binary });
  expect([x.words(x.__newString("a b c")), x.total(), x.area(2)]).toEqual([12, 6, 4]);
  await host.unloadHP(id);
  expect(x.words(x.__newString("a b c"))).toBe(3);
});

describe("field edits that stay refused, each naming the field", () => {
  test.each([
    ["a field removed", [["  tags: Tag[] = [];\n", ""], ["  item.tags.push(new Tag(name.charAt(0)));\n", ""]], /class assembly\/index\/Item: field tags was removed/],
    ["fields reordered", [["  name: string;\n  qty: i32;", "  qty: i32;\n  name: string;"]], /field name moved from offset 0 to 4/],
    ["a field retyped", [["  qty: i32;", "  qty: i64;"], ["this.qty = qty;", "this.qty = <i64>qty;"], ["this.qty.toString()", "(<i32>this.qty).toString()"], ["this.qty -= n;\n    return this.qty;", "this.qty -= n;\n    return <i32>this.qty;"]],
      /field qty changed its type from i32 to i64/],
  ] as [string, [string, string][], RegExp][])("%s: E_LAYOUT_MISMATCH", async (_, pairs, message) => {
    const problems = await problemsOf(edit(baseSource, ...pairs));
    expect(problems.map((p) => p.code)).toContain("E_LAYOUT_MISMATCH");
    expect(problems.map((p) => p.message).join("\n")).toMatch(message);
  });
});

describe("a migration that fails", () => {
  test("a trap aborts the load: nothing switched, the collector's hooks are the base's again", async () => {
    const failing = edit(baseSource,
      ["    return this.name + \" x\" + this.qty.toString();", "    return \"new \" + this.name;"],
      ["export function churn", "// @hotwasm-migrate\nfunction explode(): void { if (items.length > 0) unreachable(); }\n\nexport function churn"]);
    const r = await buildDiff({ base, files: { [ENTRY]: failing } });
    expect(r.report.migrate).toBe("assembly/index/explode");
    const host = await Host.instantiate(base);
    const x = host.exports;
    const events: HostEvent[] = [];
    host.on((e) => events.push(e));
    x.add(x.__newString("plum"), 3);
    const err = await host.loadHP({ hp_bytes: r.patch!.binary }).catch((e: { code: string }) => e);
    expect((err as { code: string }).code).toBe("E_MIGRATION_FAILED");
    expect(events.map((e) => e.type === "hook" ? `hook ${e.hook} ${e.ok}` : e.type === "refused" ? `refused ${e.code}` : e.type))
      .toEqual(["load-begin", "hook hotwasm:migrate false", "refused E_MIGRATION_FAILED"]);
    expect(host.getHPInfo()).toEqual([]);
    expect(x.__getString(x.label(x.__newString("plum")))).toBe("plum x3");
    for (let i = 0; i < 5; i++) { expect(x.churn(2000)).toBe((1999 * 2000) / 2 - 2000); x.__collect(); }
  });
});

describe("E_CLASS_CONFLICT", () => {
  test("two patches giving the first new id to different classes cannot both be in force", async () => {
    const withClass = (name: string) => edit(baseSource,
      ["export const items: Item[] = [];", `class ${name} { constructor(public n: i32) {} }\nexport const items: Item[] = [];`],
      ["  return out;\n}", `  return out + new ${name}(items.length).n.toString();\n}`]);
    const [a, b] = await Promise.all([buildDiff({ base, files: { [ENTRY]: withClass("Receipt") } }), buildDiff({ base, files: { [ENTRY]: withClass("Voucher") } })]);
    expect(a.patch!.meta.link!.classes[0]!.id).toBe(b.patch!.meta.link!.classes[0]!.id);
    const host = await Host.instantiate(base);
    const id = await host.loadHP({ hp_bytes: a.patch!.binary });
    const err = await host.loadHP({ hp_bytes: b.patch!.binary }).catch((e: { code: string; message: string }) => e);
    expect(err).toMatchObject({ code: "E_CLASS_CONFLICT" });
    expect((err as { message: string }).message).toMatch(/assembly\/index\/Voucher here but assembly\/index\/Receipt in patch/);
    expect(host.exports.__getString(host.exports.report())).toBe("0");
    await host.unloadHP(id);
  });
});

describe("other runtimes", () => {
  const edited = edit(baseSource,
    ["  tags: Tag[] = [];", "  tags: Tag[] = [];\n  uses: i32 = 0;\n  notes: string[] = [];"],
    ["    this.qty -= n;", "    this.qty -= n;\n    this.uses++;\n    this.notes.push(n.toString());"],
    ["    return this.name + \" x\" + this.qty.toString();", "    return this.name + \" x\" + this.qty.toString() + \" u\" + this.uses.toString() + \" n\" + this.notes.length.toString();"]);

  test("minimal: entries die with their objects, freed at explicit collections", async () => {
    const minimalBase = await buildApp({ [ENTRY]: baseSource }, { ascArgs: ["-O3", "--runtime", "minimal"] });
    const r = await buildDiff({ base: minimalBase, files: { [ENTRY]: edited } });
    const host = await Host.instantiate(minimalBase);
    const x = host.exports;
    const s = (v: string) => x.__newString(v);
    x.add(s("oat"), 9);
    await host.loadHP({ hp_bytes: r.patch!.binary });
    for (let round = 0; round < 20; round++) {
      x.churn(1000);
      x.__collect();
      x.use(s("oat"), 0);
    }
    expect(x.__getString(x.label(s("oat")))).toBe("oat x9 u20 n20");
    // Every churned item was used once from a fresh entry: a reused address starts from 0 again.
    expect(host.getHPInfo()[0]!.shadow!.entries).toBe(2);
  });

  test("stub: nothing is ever freed, and shadow fields need no free-object hook", async () => {
    const stubBase = await buildApp({ [ENTRY]: baseSource }, { ascArgs: ["-O3", "--runtime", "stub"] });
    const r = await buildDiff({ base: stubBase, files: { [ENTRY]: edited } });
    expect(r.patch!.meta.link!.shadow_fields).toEqual(["assembly/index/Item.uses", "assembly/index/Item.notes"]);
    const host = await Host.instantiate(stubBase);
    const x = host.exports;
    const s = (v: string) => x.__newString(v);
    x.add(s("rye"), 5);
    await host.loadHP({ hp_bytes: r.patch!.binary });
    x.use(s("rye"), 2);
    x.add(s("spelt"), 4);
    x.use(s("spelt"), 1);
    x.use(s("spelt"), 1);
    expect(x.__getString(x.report())).toBe("rye x3 u1 n1; spelt x2 u2 n2; ");
  });
});

describe("what a diff needs of its base", () => {
  test("a migration the base's sources already have is an earlier patch's: it does not run again", async () => {
    const migrated = edit(baseSource, ["export function churn", "// @hotwasm-migrate\nfunction tidy(): void { items.length = 0; }\n\nexport function churn"]);
    const laterBase = await buildApp({ [ENTRY]: migrated });
    const unchanged = await buildDiff({ base: laterBase, files: { [ENTRY]: migrated } });
    expect([unchanged.report.migrate, unchanged.patch]).toEqual([null, null]);
    const r = await buildDiff({ base: laterBase, files: { [ENTRY]: edit(migrated, ["return this.qty;\n  }\n}", "return this.qty * 2;\n  }\n}"]) } });
    expect(r.report.migrate).toBeNull();
    const host = await Host.instantiate(laterBase);
    const x = host.exports;
    x.add(x.__newString("pea"), 10);
    await host.loadHP({ hp_bytes: r.patch!.binary });
    expect(x.use(x.__newString("pea"), 1)).toBe(18);
    expect(x.__getString(x.report())).toBe("pea x9; ");
  });

  test("shadow fields on a base built without the free-object hook: E_NOT_PATCHABLE_BUILD", async () => {
    const noHook = await buildApp({ [ENTRY]: baseSource }, { finalizeHook: false });
    const err = await buildDiff({ base: noHook, files: { [ENTRY]: edit(baseSource, ["  tags: Tag[] = [];", "  tags: Tag[] = [];\n  seen: i32 = 0;"], ["    this.qty -= n;", "    this.qty -= n;\n    this.seen++;"]) } })
      .catch((e: { code: string; message: string }) => e);
    expect(err).toMatchObject({ code: "E_NOT_PATCHABLE_BUILD" });
    expect((err as { message: string }).message).toMatch(/no patchable free-object hook/);
  });
});

describe("a migration in a patch written by hand (hotwasm patch)", () => {
  test("runs once at load, before the replacements are reachable; a non-zero result aborts", async () => {
    const b = await buildBase();
    const { host, x, str } = await hostOf(b);
    const source = (result: string) => `
import { items, Item } from "../assembly/index";
export function describe(n: i32): string { return "patched " + n.toString() + " of " + items.length.toString(); }
// @hotwasm-migrate
export function seed(): i32 { items.push(new Item("seeded", 7)); return ${result}; }`;
    const failing = await patchFor(b, "migrate-fail", source("1"));
    const err = await host.loadHP({ hp_bytes: failing }).catch((e: { code: string }) => e);
    expect(err).toMatchObject({ code: "E_MIGRATION_FAILED" });
    expect(str(x.describe(1))).toBe("item 1");
    const ok = await patchFor(b, "migrate-ok", source("0"));
    const before = x.itemCount();
    const id = await host.loadHP({ hp_bytes: ok });
    expect(host.getHPInfo()[0]!.replaces.map((r) => r.symbol)).toEqual(["assembly/index/describe"]);
    expect(x.itemCount()).toBe(before + 1);
    expect(str(x.itemLabel(before))).toBe("seeded#7");
    expect(str(x.describe(2))).toBe(`patched 2 of ${before + 1}`);
    await host.unloadHP(id);
    expect(x.itemCount()).toBe(before + 1);
  });
});
