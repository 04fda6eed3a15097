// The binary reader: what it reads from real modules, and that any malformed input throws
// WasmReadError (never another error, never a hang).

import { expect, test } from "vitest";
import { readModule, WasmReadError, exportedFuncType } from "../../../host/wasm/wasm-reader.js";
import { wat } from "../../helpers/wat.js";
import { baseBinary } from "../../helpers/base.js";

const sample = wat(`(module
  (import "env" "memory" (memory 1 2))
  (import "ref" "g" (global $g (mut i64)))
  (import "ref" "f" (func $f (param i32 f64) (result f32)))
  (table 2 funcref)
  (global (mut i32) (i32.const 7))
  (data (i32.const 1024) "abc")
  (data "passive")
  (elem (i32.const 0) $h)
  (func $h (export "h") (param i32) (result i32) (local.get 0))
  (func $s)
  (start $s))`);

test("reads imports, exports, globals, segments and start", () => {
  const info = readModule(sample);
  const imp = (name: string) => info.imports.find((i) => i.name === name)!;
  expect(info.imports.map((i) => `${i.module}.${i.name}:${i.kind}`).sort()).toEqual(["env.memory:memory", "ref.f:function", "ref.g:global"]);
  expect(imp("memory").memory).toEqual({ min: 1, max: 2, shared: false });
  expect(imp("g").global).toEqual({ type: "i64", mutable: true });
  expect(imp("f").func).toEqual({ params: ["i32", "f64"], results: ["f32"] });
  expect(exportedFuncType(info, "h")).toEqual({ params: ["i32"], results: ["i32"] });
  expect(info.globals).toEqual([{ type: "i64", mutable: true }, { type: "i32", mutable: true }]);
  const enc = (text: string) => new TextEncoder().encode(text);
  expect(info.data).toEqual([
    { mode: "active", target: 0, offset: 1024, offsetGlobal: null, size: 3, bytes: enc("abc") },
    { mode: "passive", target: 0, offset: null, size: 7, bytes: enc("passive") },
  ]);
  expect(info.elements).toEqual([{ mode: "active", target: 0, offset: 0, offsetGlobal: null, size: 1 }]);
  expect(info.start).toBe(2); // functions: the imported f, then h, then s
  expect(info.tables).toBe(1);
});

test("reads a real patchable build", async () => {
  const info = readModule(await baseBinary());
  expect(info.custom.map((c) => c.name)).toContain("hotwasm.manifest");
  expect(info.exports.some((e) => e.name === "hotwasm:table" && e.kind === "table")).toBe(true);
});

test("every truncation and many bit flips either parse or throw WasmReadError", () => {
  for (let n = 0; n < sample.length; n++) {
    try { readModule(sample.slice(0, n)); } catch (err) { expect(err).toBeInstanceOf(WasmReadError); }
  }
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < 3000; i++) {
    const bytes = sample.slice();
    for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) bytes[Math.floor(rand() * bytes.length)] ^= 1 << Math.floor(rand() * 8);
    try { readModule(bytes); } catch (err) { expect(err).toBeInstanceOf(WasmReadError); }
  }
});
