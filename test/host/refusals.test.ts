// Every refusal of loadHP / unloadHP: its exact code, and the base program exactly as before
// (same behaviour, no patch recorded, memory byte for byte unchanged).

import { beforeAll, describe, expect, test } from "vitest";
import { makeHost } from "../helpers/base.js";
import { fnPatch, stamp, wat } from "../helpers/wat.js";
import { Host } from "../../host/core/host.js";
import { buildApp } from "../helpers/build.js";
import type { LoadConfig } from "../../host/model/config.js";

type Ctx = Awaited<ReturnType<typeof makeHost>>;
let ctx: Ctx;
let arenaStart = 0;
beforeAll(async () => {
  ctx = await makeHost();
  arenaStart = ctx.host.manifest.arena.start;
});

const v2 = fnPatch("version", "(result i32)", "(i32.const 2)");
const rv = { version: "main.version" };

/** Loads `config` expecting `code`; checks nothing changed. */
async function refuse(config: LoadConfig | (() => LoadConfig), code: string, message?: RegExp) {
  const { host, x } = ctx;
  const memory = x.memory as WebAssembly.Memory;
  const before = new Uint8Array(memory.buffer).slice();
  const err = await host.loadHP(typeof config === "function" ? config() : config).then(
    () => { throw new Error(`expected ${code}, but the patch loaded`); },
    (e: unknown) => e as { code: string; message: string },
  );
  expect(err.code).toBe(code);
  if (message) expect(err.message).toMatch(message);
  expect(new Uint8Array(memory.buffer)).toEqual(before);
  expect(host.getHPInfo()).toEqual([]);
  expect(x.version()).toBe(1);
  expect(x.add(2, 3)).toBe(5);
  return err;
}

describe("config", () => {
  test.each([
    ["neither file nor bytes", { replace_config: rv }],
    ["both file and bytes", { hp_file: "x.wasm", hp_bytes: v2 }],
    ["an unknown key", { hp_bytes: v2, replace: rv }],
    ["a map of non-strings", { hp_bytes: v2, replace_config: { version: 1 } }],
    ["not an object", "hp.wasm"],
  ])("E_INVALID_CONFIG: %s", async (_, config) => {
    await refuse(config as LoadConfig, "E_INVALID_CONFIG");
  });

  test("E_INVALID_CONFIG: ref_config names an import the patch does not have", async () => {
    await refuse({ hp_bytes: v2, replace_config: rv, ref_config: { Nope: "main.counter" } }, "E_INVALID_CONFIG", /ref\.Nope/);
  });

  test("E_PATCH_READ_FAILED: a missing file", async () => {
    await refuse({ hp_file: "/nonexistent/hp.wasm", replace_config: rv }, "E_PATCH_READ_FAILED", /nonexistent/);
  });

  test("E_PATCH_TOO_LARGE: over the host's limit", async () => {
    const small = await Host.instantiate(await buildApp({ "assembly/index.ts": "export function version(): i32 { return 1; }" }), {}, { maxPatchBytes: 16 });
    await expect(small.loadHP({ hp_bytes: v2, replace_config: rv })).rejects.toMatchObject({ code: "E_PATCH_TOO_LARGE" });
  });
});

describe("module", () => {
  test.each([
    ["garbage", new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])],
    ["a truncated module", v2.slice(0, v2.length - 3)],
    ["a body that does not validate", (() => { const b = v2.slice(); b[b.length - 3] = 0x42; return b; })()],
  ])("E_INVALID_MODULE: %s", async (_, bytes) => {
    await refuse({ hp_bytes: bytes, replace_config: rv }, "E_INVALID_MODULE");
  });

  test("E_NOT_PATCHABLE_BUILD: a base built without the transform", async () => {
    const plain = await buildApp({ "assembly/index.ts": "export function f(): i32 { return 1; }" }, { plain: true });
    await expect(Host.instantiate(plain)).rejects.toMatchObject({ code: "E_NOT_PATCHABLE_BUILD" });
  });

  test("E_BUILD_MISMATCH: the patch names another base build", async () => {
    await refuse({ hp_bytes: stamp(v2, { base_build_id: "0".repeat(32) }), replace_config: rv }, "E_BUILD_MISMATCH");
  });

  test("a patch stamped for this very build loads, with its embedded config", async () => {
    const { host, x } = await makeHost();
    const id = await host.loadHP({ hp_bytes: stamp(v2, { base_build_id: host.manifest.buildId, replace_config: rv }) });
    expect(x.version()).toBe(2);
    expect(host.getHPInfo()[0]!.config.replace_config).toEqual(rv);
    await host.unloadHP(id);
  });

  test("E_START_FUNCTION", async () => {
    await refuse({ hp_bytes: wat(`(module (func $s) (start $s) (func (export "version") (result i32) (i32.const 2)))`), replace_config: rv }, "E_START_FUNCTION");
  });

  test("E_INSTANTIATE_FAILED: the patch asks for more memory than the base has", async () => {
    await refuse({ hp_bytes: wat(`(module (import "env" "memory" (memory 5000)) (func (export "version") (result i32) (i32.const 2)))`), replace_config: rv }, "E_INSTANTIATE_FAILED");
  });
});

describe("targets", () => {
  test("E_UNKNOWN_SYMBOL, with a suggestion", async () => {
    await refuse({ hp_bytes: v2, replace_config: { version: "main.verison" } }, "E_UNKNOWN_SYMBOL", /did you mean "assembly\/index\/version"/);
  });
  test("E_NOT_PATCHABLE: a library function", async () => {
    await refuse({ hp_bytes: fnPatch("n", "(param i32 i32) (result i32)", "(i32.const 0)"), replace_config: { n: "~lib/rt/itcms/__new" } }, "E_NOT_PATCHABLE", /standard library/);
  });
  test("E_NOT_PATCHABLE: a global as target", async () => {
    await refuse({ hp_bytes: v2, replace_config: { version: "main.counter" } }, "E_NOT_PATCHABLE", /global/);
  });
  test("E_UNKNOWN_EXPORT", async () => {
    await refuse({ hp_bytes: v2, replace_config: { version3: "main.version" } }, "E_UNKNOWN_EXPORT");
  });
  test("E_DUPLICATE_TARGET", async () => {
    const two = wat(`(module (func (export "a") (result i32) (i32.const 2)) (func (export "b") (result i32) (i32.const 3)))`);
    await refuse({ hp_bytes: two, replace_config: { a: "version", b: "main.version" } }, "E_DUPLICATE_TARGET");
  });
  test("E_SIGNATURE_MISMATCH: a replacement", async () => {
    await refuse({ hp_bytes: fnPatch("version", "(result i64)", "(i64.const 2)"), replace_config: rv }, "E_SIGNATURE_MISMATCH", /\(\) -> i64.*\(\) -> i32/);
  });
  test("all problems are listed together; the first one's code is the error's", async () => {
    const err = await refuse({ hp_bytes: v2, replace_config: { version: "main.nothing", other: "add" } }, "E_UNKNOWN_SYMBOL");
    expect((err as unknown as { details: { problems: { code: string }[] } }).details.problems.map((p) => p.code)).toEqual(["E_UNKNOWN_SYMBOL", "E_UNKNOWN_EXPORT"]);
  });
});

describe("imports", () => {
  test("E_SIGNATURE_MISMATCH: a function ref", async () => {
    const p = wat(`(module (import "ref" "V" (func (result i64))) (func (export "version") (result i32) (i32.const 2)))`);
    await refuse({ hp_bytes: p, replace_config: rv, ref_config: { V: "main.version" } }, "E_SIGNATURE_MISMATCH");
  });
  test.each([
    ["another value type", "(global (mut i64))"],
    ["another mutability", "(global i32)"],
  ])("E_GLOBAL_TYPE_MISMATCH: %s", async (_, decl) => {
    const p = wat(`(module (import "ref" "C" ${decl}) (func (export "version") (result i32) (i32.const 2)))`);
    await refuse({ hp_bytes: p, replace_config: rv, ref_config: { C: "main.counter" } }, "E_GLOBAL_TYPE_MISMATCH");
  });
  test("E_IMPORT_KIND_MISMATCH: a function import bound to a global", async () => {
    const p = wat(`(module (import "ref" "C" (func (result i32))) (func (export "version") (result i32) (i32.const 2)))`);
    await refuse({ hp_bytes: p, replace_config: rv, ref_config: { C: "main.counter" } }, "E_IMPORT_KIND_MISMATCH");
  });
  test("E_UNRESOLVED_IMPORT", async () => {
    const p = wat(`(module (import "env" "nothing" (func)) (func (export "version") (result i32) (i32.const 2)))`);
    await refuse({ hp_bytes: p, replace_config: rv }, "E_UNRESOLVED_IMPORT", /env\.nothing/);
  });
  test("E_AMBIGUOUS_SYMBOL lists the candidates", async () => {
    const two = await Host.instantiate(await buildApp({
      "assembly/index.ts": `import { f as g } from "./other"; export function f(): i32 { return 1 + g(); }`,
      "assembly/other.ts": `export function f(): i32 { return 2; }`,
    }));
    const err = await two.loadHP({ hp_bytes: fnPatch("f", "(result i32)", "(i32.const 0)"), replace_config: { f: "f" } }).catch((e) => e);
    expect(err.code).toBe("E_AMBIGUOUS_SYMBOL");
    expect(err.details.candidates).toEqual(["assembly/index/f", "assembly/other/f"]);
    expect(two.exports.f()).toBe(3);
  });
});

describe("segments and hooks", () => {
  test("E_DATA_OUTSIDE_ARENA: data that would overwrite the base's memory", async () => {
    const p = wat(`(module (import "env" "memory" (memory 1)) (data (i32.const 16) "overwrite") (func (export "version") (result i32) (i32.const 2)))`);
    await refuse({ hp_bytes: p, replace_config: rv }, "E_DATA_OUTSIDE_ARENA");
  });
  test("E_ARENA_CONFLICT: data over a loaded patch's data; the range frees on unload", async () => {
    const data = (n: number) => wat(`(module (import "env" "memory" (memory 1)) (data (i32.const ${arenaStart}) "patch") (func (export "version") (result i32) (i32.const ${n})))`);
    const { host, x } = ctx;
    const first = await host.loadHP({ hp_bytes: data(2), replace_config: rv });
    const err = await host.loadHP({ hp_bytes: data(3), replace_config: rv }).catch((e) => e);
    expect(err.code).toBe("E_ARENA_CONFLICT");
    expect(err.details.hp_id).toBe(first);
    expect(x.version()).toBe(2);
    await host.unloadHP(first);
    const second = await host.loadHP({ hp_bytes: data(3), replace_config: rv });
    expect(x.version()).toBe(3);
    await host.unloadHP(second);
  });
  test("E_TABLE_WRITE: an element segment into the base's table", async () => {
    const p = wat(`(module (import "env" "table" (table 1 funcref)) (func $f) (elem (i32.const 1) $f) (func (export "version") (result i32) (i32.const 2)))`);
    await refuse({ hp_bytes: p, replace_config: rv }, "E_TABLE_WRITE");
  });
  test("E_HOOK_SIGNATURE", async () => {
    const p = wat(`(module (func (export "HPBeforeLoad") (param i32)) (func (export "version") (result i32) (i32.const 2)))`);
    await refuse({ hp_bytes: p, replace_config: rv }, "E_HOOK_SIGNATURE");
  });
});

test("E_UNKNOWN_PATCH: unloading an id that is not loaded", async () => {
  await expect(ctx.host.unloadHP("f".repeat(64))).rejects.toMatchObject({ code: "E_UNKNOWN_PATCH" });
  expect(ctx.x.version()).toBe(1);
});
