// What `hotwasm patch` and the host refuse, each with its code, before anything is written:
// changed class layouts and ids, class id conflicts between patches, another base build, another
// compiler, a signature change, top-level code, a full arena.

import { describe, expect, test } from "vitest";
import { appSource, buildBase, hostOf, patchFor } from "../../helpers/toolchain.js";
import { buildPatch } from "../../../compiler/patch/build-patch.js";
import { appendCustomSection } from "../../../compiler/common/custom-section.js";
import { encodePatchMeta, PATCH_SECTION, readPatchMeta } from "../../../host/model/patch-meta.js";
import { readModule } from "../../../host/wasm/wasm-reader.js";

const build = async (name: string, source: string, app = appSource, base?: Uint8Array) =>
  buildPatch({ patch: `patches/${name}.ts`, base: base ?? (await buildBase()), files: { "assembly/index.ts": app, [`patches/${name}.ts`]: source } });
const refusal = (p: Promise<unknown>) => p.then(() => { throw new Error("expected a refusal"); }, (e: { code: string; message: string }) => e);

describe("at build time", () => {
  test("E_LAYOUT_MISMATCH: the app's class has changed since the base was built", async () => {
    const changed = appSource.replace("constructor(public name: string, public count: i32) {}", "constructor(public name: string, public count: i32, public extra: i32 = 0) {}");
    const err = await refusal(build("layout", `export function literal(): string { return "x"; }`, changed));
    expect(err.code).toBe("E_LAYOUT_MISMATCH");
    expect(err.message).toMatch(/assembly\/index\/Item changed its layout/);
  });

  test("a class the app now uses first keeps the base's ids in place: it comes after them", async () => {
    const moved = `class Early { v: i32 = 1; }\nconst early = new Early();\n${appSource}`;
    const r = await build("ids", `export function literal(): string { return "x"; }`, moved);
    expect(r.meta.link!.classes).toEqual([{ id: 11, name: "assembly/index/Early" }]);
    expect(r.meta.link!.base_classes).toBe(11);
  });

  test("E_CLASS_ID_MISMATCH: a class of the base is gone from the app", async () => {
    const gone = appSource.replace(/export class Square[^]*?\n}\n/, "").replace("shapes.push(new Square(1));", "shapes.push(new Shape());");
    const err = await refusal(build("gone", `export function literal(): string { return "x"; }`, gone));
    expect(err.code).toBe("E_CLASS_ID_MISMATCH");
    expect(err.message).toMatch(/assembly\/index\/Square of the base \(id 10\) is not in the new build/);
  });

  test("E_SIGNATURE_MISMATCH: a replacement with another signature", async () => {
    const err = await refusal(build("sig", `export function describe(n: i64): string { return "x"; }`));
    expect(err.code).toBe("E_SIGNATURE_MISMATCH");
    expect(err.message).toMatch(/cannot replace assembly\/index\/describe/);
  });

  test("E_PATCH_SOURCE: code at the top level of the patch", async () => {
    const err = await refusal(build("toplevel", `import { addItem } from "../assembly/index";\naddItem("boom");\nexport function literal(): string { return "x"; }`));
    expect(err.code).toBe("E_PATCH_SOURCE");
    expect(err.message).toMatch(/patches\/toplevel\.ts:2: a patch may not run code at the top level/);
  });

  test("E_UNKNOWN_SYMBOL: an export that matches no app function", async () => {
    expect((await refusal(build("unknown", `export function nothingLikeThis(): void {}`))).code).toBe("E_UNKNOWN_SYMBOL");
  });

  test("an explicit target by comment or option", async () => {
    const source = `import { Item } from "../assembly/index";\n// @hotwasm-replace Item#label\nexport function fixedLabel(self: Item): string { return "[" + self.name + "]"; }`;
    const r = await build("explicit", source);
    expect(r.meta.replace_config).toEqual({ fixedLabel: "assembly/index/Item#label" });
    const b = await buildBase();
    const { host, x, str, arg } = await hostOf(b);
    x.addItem(arg("pen"));
    await host.loadHP({ hp_bytes: r.binary });
    expect(str(x.itemLabel(0))).toBe("[pen]");
  });
});

describe("at load time, nothing changed", () => {
  const literal = `export function literal(): string { return "new"; }`;

  test("E_BUILD_MISMATCH: built for another base build", async () => {
    const other = await buildBase(appSource.replace(`return "old";`, `return "old!";`));
    const p = await patchFor(other, "lit", literal, appSource.replace(`return "old";`, `return "old!";`));
    const { host, x, str } = await hostOf(await buildBase());
    const err = await refusal(host.loadHP({ hp_bytes: p }));
    expect(err.code).toBe("E_BUILD_MISMATCH");
    expect(str(x.literal())).toBe("old");
  });

  test("E_COMPILER_MISMATCH: another compiler version in the patch", async () => {
    const b = await buildBase();
    const p = await patchFor(b, "lit", literal);
    const meta = readPatchMeta(readModule(p))!;
    const tampered = restamp(p, { ...meta, compiler: { ...meta.compiler!, version: "0.27.0" } });
    const { host, x, str } = await hostOf(b);
    const err = await refusal(host.loadHP({ hp_bytes: tampered }));
    expect(err.code).toBe("E_COMPILER_MISMATCH");
    expect(str(x.literal())).toBe("old");
  });

  test("E_CLASS_CONFLICT: two patches give the same new id to different classes", async () => {
    const b = await buildBase();
    const one = await patchFor(b, "one", `class One { a: i32 = 1; }\nexport function literal(): string { const o = new One(); return o.a.toString(); }`);
    const two = await patchFor(b, "two", `class Two { s: string = "2"; }\nexport function describe(n: i32): string { return new Two().s; }`);
    const { host, x, str } = await hostOf(b);
    await host.loadHP({ hp_bytes: one });
    const err = await refusal(host.loadHP({ hp_bytes: two }));
    expect(err.code).toBe("E_CLASS_CONFLICT");
    expect(str(x.describe(1))).toBe("item 1");
    expect(str(x.literal())).toBe("1");
  });

  test("E_ARENA_FULL: no room left in the patch arena once patches in force fill it", async () => {
    const small = await buildBase(appSource, { arenaSize: 256 });
    const p = await patchFor(small, "lit", `export function literal(): string { return "a literal that takes eighty bytes"; }`);
    const size = readPatchMeta(readModule(p))!.link!.data_size;
    expect(size).toBeGreaterThan(64);
    const { host, x, str } = await hostOf(small);
    // Copies that differ only in a custom section are distinct patches with the same data.
    const copies = Array.from({ length: Math.floor(256 / size) + 1 }, (_, i) => appendCustomSection(p, "nonce", new Uint8Array([i])));
    for (const copy of copies.slice(0, -1)) await host.loadHP({ hp_bytes: copy });
    const err = await refusal(host.loadHP({ hp_bytes: copies.at(-1)! }));
    expect(err.code).toBe("E_ARENA_FULL");
    expect(host.getHPInfo()).toHaveLength(copies.length - 1);
    expect(str(x.literal())).toBe("a literal that takes eighty bytes");
  });
});

describe("at build time, with the load's own code: nothing is written that the base would refuse", () => {
  test("E_ARENA_FULL: the patch's data is larger than the whole arena", async () => {
    const tiny = await buildBase(appSource, { arenaSize: 16 });
    const err = await refusal(build("big", `export function literal(): string { return "far more than sixteen bytes of text"; }`, appSource, tiny));
    expect(err.code).toBe("E_ARENA_FULL");
    expect(err.message).toMatch(/the patch needs \d+ bytes of static data; the arena has 16/);
  });

  test("E_ARENA_FULL: a base built with --arena 0 takes no patch with static data, and says how to get one", async () => {
    const none = await buildBase(appSource, { arenaSize: 0 });
    const err = await refusal(build("none", `export function literal(): string { return "a brand new literal"; }`, appSource, none));
    expect(err.code).toBe("E_ARENA_FULL");
    expect(err.message).toMatch(/build it with --arena BYTES/);
    // A patch that needs no data of its own still fits: "old" is the base's own literal.
    const fits = await build("old", `export function literal(): string { return "old"; }`, appSource, none);
    expect(fits.meta.link!.data_size).toBe(0);
  });
});

/** Replaces the last custom section (the patch metadata) of `bytes`. */
function restamp(bytes: Uint8Array, meta: object): Uint8Array {
  let pos = 8;
  let last = 8;
  while (pos < bytes.length) {
    last = pos;
    pos++;
    let size = 0;
    let shift = 0;
    for (;;) { const b = bytes[pos++]!; size |= (b & 0x7f) << shift; shift += 7; if (!(b & 0x80)) break; }
    pos += size;
  }
  return appendCustomSection(bytes.slice(0, last), PATCH_SECTION, encodePatchMeta(meta as never));
}
