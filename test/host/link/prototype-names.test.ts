// Names that are also Object.prototype's ("__proto__", "constructor", "toString"...) in imports and
// configs: an import never binds to JavaScript built-ins, and a config name is a plain name —
// honoured when the patch has it, refused with a code when not, never dropped. Config maps, names
// and the problems one check collects are bounded (issue 14, attacks 2 and 6).

import { beforeAll, expect, test } from "vitest";
import { makeHost } from "../../helpers/base.js";
import { wat } from "../../helpers/wat.js";
import { parseLoadConfig, type LoadConfig } from "../../../host/model/config.js";
import { MAX_PROBLEMS } from "../../../host/link/link-patch.js";
import { SymbolTable } from "../../../host/model/symbols.js";

type Ctx = Awaited<ReturnType<typeof makeHost>>;
let ctx: Ctx;
const builtins = { assign: Object.assign, keys: Object.keys, toString: Object.prototype.toString, proto: Object.getOwnPropertyNames(Object.prototype).sort() };
beforeAll(async () => { ctx = await makeHost(); });

/** Loads `config`, expecting `code`; the program, the host and JavaScript's built-ins are as before. */
async function refuse(config: LoadConfig, code: string) {
  const { host, x } = ctx;
  const before = Buffer.from((x.memory as WebAssembly.Memory).buffer.slice(0));
  const err = await host.loadHP(config).then(() => null, (e: { code: string; message: string; details: Record<string, unknown> }) => e);
  expect(err?.code).toBe(code);
  expect(Buffer.from((x.memory as WebAssembly.Memory).buffer).equals(before)).toBe(true);
  expect(host.getHPInfo()).toEqual([]);
  expect([x.version(), x.add(2, 3)]).toEqual([1, 5]);
  expect([Object.assign, Object.keys, Object.prototype.toString, Object.getOwnPropertyNames(Object.prototype).sort()]).toEqual([builtins.assign, builtins.keys, builtins.toString, builtins.proto]);
  expect(Object.keys({})).toEqual([]);
  return err!;
}

const version = (n: number, imports = "", name = "version") => wat(`(module ${imports} (func (export "${name}") (result i32) (i32.const ${n})))`);

test.each([
  ["constructor.assign: Object.assign", `(import "constructor" "assign" (func (param i32 i32) (result i32)))`, "E_UNRESOLVED_IMPORT"],
  ["env.constructor: Object", `(import "env" "constructor" (func (param i32) (result i32)))`, "E_UNRESOLVED_IMPORT"],
  ["__proto__.toString: Object.prototype.toString", `(import "__proto__" "toString" (func (result i32)))`, "E_UNRESOLVED_IMPORT"],
  ["env.hasOwnProperty", `(import "env" "hasOwnProperty" (func (param i32) (result i32)))`, "E_UNRESOLVED_IMPORT"],
  ["env.__proto__ as a global", `(import "env" "__proto__" (global i32))`, "E_UNRESOLVED_IMPORT"],
  ["toString.call", `(import "toString" "call" (func))`, "E_UNRESOLVED_IMPORT"],
  ["ref.__proto__", `(import "ref" "__proto__" (func (result i32)))`, "E_UNKNOWN_SYMBOL"],
  ["ref.constructor", `(import "ref" "constructor" (func (result i32)))`, "E_UNKNOWN_SYMBOL"],
  ["ref.toString", `(import "ref" "toString" (global i32))`, "E_UNKNOWN_SYMBOL"],
])("an import of %s is refused; nothing reaches JavaScript's built-ins", async (_, imports, code) => {
  await refuse({ hp_bytes: version(2, imports), replace_config: { version: "main.version" } }, code);
});

test("the attack itself: a load hook calling Object.assign(Object.prototype, ...) never runs; later loads are unharmed", async () => {
  const attack = wat(`(module (import "constructor" "assign" (func $assign (param i32 i32) (result i32)))
    (func (export "version") (result i32) (i32.const 2))
    (func (export "HPBeforeLoad") (result i32) (drop (call $assign (i32.const 0) (i32.const 1))) (i32.const 0)))`);
  await refuse({ hp_bytes: attack, replace_config: { version: "main.version" } }, "E_UNRESOLVED_IMPORT");
  const id = await ctx.host.loadHP({ hp_bytes: version(3), replace_config: { version: "main.version" } });
  expect(ctx.x.version()).toBe(3);
  await ctx.host.unloadHP(id);
  expect(ctx.x.version()).toBe(1);
});

test("\"__proto__\", \"constructor\" and \"toString\" in a config from JSON are plain names: honoured when the patch has them", async () => {
  const { host, x } = ctx;
  const bytes = wat(`(module (import "ref" "toString" (global $c (mut i32)))
    (func (export "__proto__") (result i32) (i32.add (global.get $c) (i32.const 40)))
    (func (export "constructor") (param i32 i32) (result i32) (i32.const 77)))`);
  const fromJson = JSON.parse('{"replace_config": {"__proto__": "main.version", "constructor": "add"}, "ref_config": {"toString": "main.counter"}}') as LoadConfig;
  const id = await host.loadHP({ ...fromJson, hp_bytes: bytes });
  expect([x.version(), x.add(1, 1)]).toEqual([40, 77]);
  const [info] = host.getHPInfo();
  expect(JSON.parse(JSON.stringify(info!.config))).toEqual(JSON.parse('{"hp_file": "", "replace_config": {"__proto__": "main.version", "constructor": "add"}, "ref_config": {"toString": "main.counter"}}'));
  expect(info!.replaces.map((r) => [r.export, r.symbol])).toEqual([["__proto__", "assembly/index/version"], ["constructor", "assembly/index/add"]]);
  expect(info!.refs).toEqual([{ name: "toString", symbol: "assembly/index/counter" }]);
  await host.unloadHP(id);
  expect([x.version(), x.add(1, 1)]).toEqual([1, 2]);
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(builtins.proto);
});

test("such a name the patch does not have is refused with a code, never dropped (a patch that replaces nothing)", async () => {
  const err = await refuse({ ...(JSON.parse('{"replace_config": {"__proto__": "main.version"}}') as LoadConfig), hp_bytes: version(2) }, "E_UNKNOWN_EXPORT");
  expect(err.message).toMatch(/no function "__proto__"/);
  await refuse({ ...(JSON.parse('{"ref_config": {"constructor": "main.counter"}}') as LoadConfig), hp_bytes: version(2), replace_config: { version: "version" } }, "E_INVALID_CONFIG");
  await refuse({ hp_bytes: version(2), replace_config: { version: "toString" } }, "E_UNKNOWN_SYMBOL");
  await refuse({ hp_bytes: version(2), replace_config: { version: "constructor" } }, "E_UNKNOWN_SYMBOL");
});

test("parsed maps have no prototype: a lookup of any name finds only what was given", () => {
  const config = parseLoadConfig(JSON.parse('{"hp_file": "a.wasm", "replace_config": {"__proto__": "x"}}'));
  expect(Object.getPrototypeOf(config.replace_config)).toBe(null);
  expect(Object.keys(config.replace_config!)).toEqual(["__proto__"]);
  expect(config.replace_config!.constructor).toBeUndefined();
  expect(() => parseLoadConfig(JSON.parse('{"hp_file": "a.wasm", "__proto__": {"replace_config": {}}}'))).toThrow(expect.objectContaining({ code: "E_INVALID_CONFIG" }));
});

test("maps, names and hp_file are bounded and printable: E_TOO_LARGE and E_INVALID_CONFIG", async () => {
  const bytes = version(2);
  const many = Object.fromEntries(Array.from({ length: 1025 }, (_, i) => [`f${i}`, "main.version"]));
  expect((await refuse({ hp_bytes: bytes, replace_config: many }, "E_TOO_LARGE")).message).toMatch(/1025 entries; at most 1024/);
  await refuse({ hp_bytes: bytes, replace_config: { version: "v".repeat(1025) } }, "E_TOO_LARGE");
  await refuse({ hp_bytes: bytes, ref_config: { ["r".repeat(1025)]: "main.counter" } }, "E_TOO_LARGE");
  await refuse({ hp_bytes: bytes, replace_config: { version: "main.version\u001b[2K" } }, "E_INVALID_CONFIG");
  await refuse({ hp_bytes: bytes, replace_config: { "version\u202e": "main.version" } }, "E_INVALID_CONFIG");
  await refuse({ hp_file: "\u001b[2K\r\u001b[32mhp.wasm (signed)\u001b[0m/../hp.wasm", replace_config: { version: "main.version" } }, "E_INVALID_CONFIG");
});

test(`unknown names cost at most ${MAX_PROBLEMS} problems, each with a bounded search: 1,000 unknown 1 KiB targets and imports`, async () => {
  const exports = Array.from({ length: 1000 }, (_, i) => `(func (export "f${i}") (result i32) (i32.const ${i}))`).join(" ");
  const targets = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`f${i}`, `${"x".repeat(1000)}${i}`]));
  const err = await refuse({ hp_bytes: wat(`(module ${exports})`), replace_config: targets }, "E_UNKNOWN_SYMBOL");
  expect((err.details.problems as unknown[]).length).toBe(MAX_PROBLEMS);
  expect(err.message).toMatch(new RegExp(`\\(and at least ${MAX_PROBLEMS - 1} more: .*; checking stopped there\\)$`));
  const imports = Array.from({ length: 1000 }, (_, i) => `(import "ref" "${"y".repeat(1000)}${i}" (func (result i32)))`).join(" ");
  const viaImports = await refuse({ hp_bytes: version(2, imports), replace_config: { version: "main.version" } }, "E_UNKNOWN_SYMBOL");
  expect((viaImports.details.problems as unknown[]).length).toBe(MAX_PROBLEMS);
});

test("a suggestion is searched for short names only; a close short name still gets one", () => {
  const table = new SymbolTable(ctx.host.manifest);
  const message = (name: string) => { try { table.resolve(name); return "resolved"; } catch (e) { return (e as Error).message; } };
  expect(message("verison")).toMatch(/did you mean "assembly\/index\/version"/);
  expect(message(`${"q".repeat(200)}version`)).not.toMatch(/did you mean/);
});
