// What the transform produces: the patchable set and its controls, the exports and manifest,
// the patch arena, a growable table, deterministic build ids, and validation naming functions.

import { describe, expect, test } from "vitest";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import binaryen from "binaryen";
import { buildApp } from "../../helpers/build.js";
import { manifestOf } from "../../../compiler/base/build.js";
import { validateOrThrow, RewriteError } from "../../../compiler/common/binaryen-util.js";
import { Host } from "../../../host/core/host.js";
import { wat } from "../../helpers/wat.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const classes = readFileSync(join(root, "test/fixtures/programs/classes.ts"), "utf8");
const files = { "assembly/index.ts": classes };
const patchableNames = (bytes: Uint8Array) => manifestOf(bytes).functions.filter((f) => f.slot !== null).map((f) => f.name.replace("assembly/index/", "")).sort();

describe("the patchable set", () => {
  test("by default: the program's own functions, methods, getters and constructors", async () => {
    const names = patchableNames(await buildApp(files));
    expect(names).toEqual(expect.arrayContaining([
      "Animal#speak", "Dog#speak", "Bird#speak", "Animal#get:legCount", "Animal.create", "Animal#constructor",
      "Dog#constructor", "Point#len", "run", "makePoint", "pointLen",
    ]));
    expect(names.filter((n) => n.startsWith("~lib/"))).toEqual(["~lib/rt/__visit_globals", "~lib/rt/__visit_members"]); // the runtime hooks
    // Virtual-call stubs are patchable (a patch adding subclasses replaces them); varargs stubs are not.
    expect(names.filter((n) => n.includes("@"))).toEqual(["Animal#speak@override"]);
    expect(names).not.toContain("Point#get:x"); // generated field accessors
    const m = manifestOf(await buildApp(files));
    expect(m.functions.find((f) => f.name === "assembly/index/Point#get:x")?.reason).toBe("generated field accessor");
    expect(m.functions.find((f) => f.name === "assembly/index/Dog#speak")?.signature).toBe("(this: assembly/index/Dog) => ~lib/string/String");
  });

  test("globs add and remove functions; a pattern without / matches within any module", async () => {
    const names = patchableNames(await buildApp(files, { patchable: ["!Animal#*", "~lib/string/String#concat"] }));
    expect(names).not.toContain("Animal#speak");
    expect(names).toContain("Dog#speak");
    const m = manifestOf(await buildApp(files, { patchable: ["!Animal#*", "~lib/string/String#concat"] }));
    expect(m.functions.find((f) => f.name === "~lib/string/String#concat")?.slot).not.toBeNull();
    expect(m.functions.find((f) => f.name === "assembly/index/Animal#speak")?.reason).toBe("excluded by --patchable !Animal#*");
  });

  test("a @hotwasm-nopatch comment keeps a function, a method or a whole class out", async () => {
    const src = `
// @hotwasm-nopatch: hot inner loop
export function hot(x: i32): i32 { return x + 1; }
export function cold(x: i32): i32 { return hot(x) * 2; }
class A { /* @hotwasm-nopatch */ m(): i32 { return 1; } n(): i32 { return 2; } }
// @hotwasm-nopatch
class B { m(): i32 { return 3; } }
export function use(): i32 { const a = new A(); return a.m() + a.n() + new B().m(); }`;
    const names = patchableNames(await buildApp({ "assembly/index.ts": src }));
    expect(names).toEqual(expect.arrayContaining(["cold", "use", "A#n"]));
    expect(names).not.toContain("hot");
    expect(names).not.toContain("A#m");
    expect(names).not.toContain("B#m");
  });
});

describe("the build", () => {
  test("exports the table (growable), memory, every global, dispatchers and flags", async () => {
    const bytes = await buildApp(files);
    const m = manifestOf(bytes);
    const { instance } = await WebAssembly.instantiate(bytes as BufferSource, { env: { abort: () => {} } });
    const e = instance.exports;
    const table = e[m.table.export] as WebAssembly.Table;
    expect(table.length).toBe(m.table.size);
    expect(table.grow(10)).toBe(m.table.size); // no maximum: patches may add function references
    expect(e[m.memory.export]).toBeInstanceOf(WebAssembly.Memory);
    for (const g of m.globals) expect(e[g.export]).toBeInstanceOf(WebAssembly.Global);
    for (const f of m.functions.filter((f) => f.slot !== null)) {
      expect(typeof e[f.export!]).toBe("function");
      expect((e[f.flag!] as WebAssembly.Global).value).toBe(0);
      expect(typeof table.get(f.slot!)).toBe("function");
    }
    for (const name of ["__new", "__pin", "__unpin", "__collect", "__rtti_base"]) expect(e[name]).toBeDefined();
  });

  test("reserves the arena below the stack: __data_end, __stack_pointer and __heap_base move together", async () => {
    const src = { "assembly/index.ts": `export function f(): string { return "x" + "y"; }` };
    const without = manifestOf(await buildApp(src, { arenaSize: 0 }));
    const withArena = await buildApp(src, { arenaSize: 100_000 });
    const m = manifestOf(withArena);
    expect(m.arena).toEqual({ start: without.arena.start, size: 100_000 });
    const { instance } = await WebAssembly.instantiate(withArena as BufferSource, { env: { abort: () => {} } });
    const value = (name: string) => (instance.exports[m.globals.find((g) => g.name === name)!.export] as WebAssembly.Global).value as number;
    expect(value("~lib/memory/__data_end")).toBe(m.arena.start + m.arena.size);
    expect(value("~lib/memory/__heap_base")).toBeGreaterThanOrEqual(m.arena.start + m.arena.size);
    expect((instance.exports.memory as WebAssembly.Memory).buffer.byteLength).toBeGreaterThanOrEqual(value("~lib/memory/__heap_base"));
    const host = await Host.instantiate(withArena);
    expect(host.exports.__getString(host.exports.f())).toBe("xy");
  });

  test("the build id is stable for the same input and changes with the source or the flags", async () => {
    const a = manifestOf(await buildApp({ "assembly/index.ts": "export function f(): i32 { return 1; }" }));
    const again = manifestOf(await buildApp({ "assembly/index.ts": "export function f(): i32 { return 1; }" }, { ascArgs: ["-O3", "--noColors"] }));
    const b = manifestOf(await buildApp({ "assembly/index.ts": "export function f(): i32 { return 2; }" }));
    const c = manifestOf(await buildApp({ "assembly/index.ts": "export function f(): i32 { return 1; }" }, { ascArgs: ["-O1"] }));
    expect(again.buildId).toBe(a.buildId);
    expect(b.buildId).not.toBe(a.buildId);
    expect(c.buildId).not.toBe(a.buildId);
    // The first build of a fresh process (Binaryen's global settings still at their defaults) too.
    const script = `import { buildPatchable } from ${JSON.stringify(join(root, "dist/compiler/base/build.js"))};
      const r = await buildPatchable({ entries: ["assembly/index.ts"], files: { "assembly/index.ts": "export function f(): i32 { return 1; }" }, outFile: false, config: false, ascArgs: ["-O3"] });
      console.log(r.manifest.buildId);`;
    const fresh = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" }).trim();
    expect(fresh).toBe(a.buildId);
  });

  test("a virtual method patched in the subclass changes the virtual call", async () => {
    const bytes = await buildApp(files);
    const host = await Host.instantiate(bytes);
    const before = host.exports.__getString(host.exports.run());
    expect(before).toContain("rex barks");
    const patch = wat(`(module (import "ref" "base" (func $base (param i32) (result i32)))
      (func (export "speak") (param i32) (result i32) (call $base (local.get 0))))`);
    const id = await host.loadHP({ hp_bytes: patch, replace_config: { speak: "Dog#speak" }, ref_config: { base: "Animal#speak" } });
    expect(host.exports.__getString(host.exports.run())).toContain("rex makes a sound");
    await host.unloadHP(id);
    expect(host.exports.__getString(host.exports.run())).toBe(before);
  });
});

test("validation failures name the function", () => {
  const m = new binaryen.Module();
  m.addFunction("good", binaryen.none, binaryen.i32, [], m.i32.const(1));
  m.addFunction("assembly/index/broken$impl", binaryen.none, binaryen.i32, [], m.i64.const(1n as never));
  try {
    expect(() => validateOrThrow(m, "test", binaryen as never)).toThrow(RewriteError);
    try { validateOrThrow(m, "test", binaryen as never); } catch (err) {
      expect((err as RewriteError).functions).toEqual(["assembly/index/broken$impl"]);
      expect((err as Error).message).toMatch(/does not validate in assembly\/index\/broken\$impl/);
    }
  } finally {
    m.dispose();
  }
});

test("asc --transform hotwasm/transform makes a patchable build", async () => {
  // As a user has it: hotwasm installed in the project's node_modules.
  const dir = await mkdtemp(join(tmpdir(), "hotwasm-asc-"));
  try {
    await mkdir(join(dir, "node_modules"));
    await symlink(root, join(dir, "node_modules/hotwasm"), "dir");
    await writeFile(join(dir, "app.ts"), "export function f(): i32 { return 41; }\n");
    const asc = join(root, "node_modules/assemblyscript/bin/asc.js");
    await promisify(execFile)(process.execPath, [asc, join(dir, "app.ts"), "--transform", "hotwasm/transform", "-o", join(dir, "app.wasm"), "--config", "none.json"], { cwd: dir });
    const m = manifestOf(new Uint8Array(await readFile(join(dir, "app.wasm"))));
    expect(m.functions.find((f) => f.name.endsWith("/app/f"))?.slot).not.toBeNull();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
