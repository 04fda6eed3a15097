// Test helper for fuzzing: a seeded PRNG, seed patches for the host-test base, and mutators that
// make malformed inputs from them — truncation, bit flips, hostile LEB sizes and counts, splices,
// random imports and exports, broken patch sections, malformed configs, hostile symbol names.
// Case i of seed s is always the same input.

import { appendCustomSection } from "../../host/wasm/wasm-sections.js";
import { PATCH_SECTION } from "../../host/model/patch-meta.js";
import type { LoadConfig } from "../../host/model/config.js";
import { wat } from "./wat.js";

/** A PRNG (mulberry32) with helpers. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]! };
}
type Rng = ReturnType<typeof prng>;

/** Symbol names meant to break lookups, paths and objects. */
export const HOSTILE_NAMES = [
  "", "a".repeat(5000), "../../etc/passwd", "__proto__", "constructor", "toString", "hasOwnProperty", "main.", ".", "main.__proto__",
  "~lib/rt/itcms/__new", "\u0000", "\ud800", "ü𝄞", "assembly/index/", "#", "Counter#", "*", "main.version\n", " version", "version",
  "add", "main.counter", "hidden", "fib", "Counter#inc", "hotwasm:visit_members", "memory", "table",
];

/** Valid patches for the host-test base, the fuzzers' starting points. */
export function seedPatches(arenaStart: number, buildId: string, baseClasses: number): { name: string; bytes: Uint8Array; config: LoadConfig }[] {
  const rv = { version: "main.version" };
  const v2 = wat(`(module (func (export "version") (result i32) (i32.const 2)))`);
  return [
    { name: "version", bytes: v2, config: { replace_config: rv } },
    { name: "refs", bytes: wat(`(module (import "ref" "Counter" (global $c (mut i32))) (import "ref" "V" (func $v (result i32)))
      (import "env" "log" (func $log (param i32)))
      (func (export "add") (param i32 i32) (result i32) (call $log (global.get $c)) (i32.add (call $v) (local.get 1))))`),
      config: { replace_config: { add: "add" }, ref_config: { Counter: "main.counter", V: "version" } } },
    { name: "data", bytes: wat(`(module (import "env" "memory" (memory 1)) (data (i32.const ${arenaStart + 64}) "patch data")
      (func (export "version") (result i32) (i32.const 3)))`), config: { replace_config: rv } },
    { name: "hooks", bytes: wat(`(module (func (export "version") (result i32) (i32.const 4))
      (func (export "HPBeforeLoad") (result i32) (i32.const 0)) (func (export "HPAfterLoad") (result i32) (i32.const 0)))`), config: { replace_config: rv } },
    { name: "stamped", bytes: appendCustomSection(v2, PATCH_SECTION, json({ hotwasm: 1, base_build_id: buildId, replace_config: rv })), config: {} },
    { name: "linked", bytes: appendCustomSection(wat(`(module (import "env" "memory" (memory 1)) (import "hotwasm:link" "memory_base" (global $mb i32))
      (data (global.get $mb) "0123456789abcdef") (func (export "version") (result i32) (i32.const 5)))`), PATCH_SECTION,
      json({ hotwasm: 1, replace_config: rv, link: { data_size: 16, memory_relocs: [4], table_relocs: [], table_size: 0, rtti_offset: null, classes: [], base_classes: baseClasses } })), config: {} },
  ];
}

/** The mutators, by name: each makes one malformed input from a seed. */
export const MUTATORS = ["truncate", "bitflip", "bytes", "insert-delete", "leb", "splice", "imports", "exports", "meta", "config", "names"] as const;
export type Mutator = (typeof MUTATORS)[number];

/** Fuzz case `index` of `seed`: which mutator and the config to load. */
export function fuzzCase(seed: number, index: number, seeds: ReturnType<typeof seedPatches>): { mutator: Mutator; config: unknown } {
  const r = prng((seed * 0x9e3779b1) ^ index);
  const base = r.pick(seeds);
  const mutator = MUTATORS[index % MUTATORS.length]!;
  const config = (bytes: Uint8Array, extra: Record<string, unknown> = {}) => ({ ...base.config, hp_bytes: bytes, ...extra });
  const b = base.bytes;
  switch (mutator) {
    case "truncate": return { mutator, config: config(b.slice(0, r.int(b.length))) };
    case "bitflip": {
      const out = b.slice();
      for (let n = 1 + r.int(8); n > 0; n--) out[r.int(out.length)] ^= 1 << r.int(8);
      return { mutator, config: config(out) };
    }
    case "bytes": {
      const out = b.slice();
      for (let n = 1 + r.int(4); n > 0; n--) out[r.int(out.length)] = r.pick([0x00, 0xff, 0x7f, 0x80, 0x01, 0x60, 0x0b]);
      return { mutator, config: config(out) };
    }
    case "insert-delete": {
      const at = 8 + r.int(Math.max(1, b.length - 8));
      const cut = r.next() < 0.5 ? r.int(16) : 0;
      const add = cut === 0 ? Array.from({ length: 1 + r.int(16) }, () => r.int(256)) : [];
      return { mutator, config: config(new Uint8Array([...b.subarray(0, at), ...add, ...b.subarray(at + cut)])) };
    }
    case "leb": return { mutator, config: config(tamperLeb(b, r)) };
    case "splice": {
      const other = r.pick(seeds).bytes;
      return { mutator, config: config(new Uint8Array([...b.subarray(0, 8 + r.int(b.length - 8)), ...other.subarray(8 + r.int(other.length - 8))])) };
    }
    case "imports": return { mutator, config: { hp_bytes: randomImports(r), replace_config: { version: "version" }, ...(r.next() < 0.5 ? { ref_config: randomMap(r) } : {}) } };
    case "exports": return { mutator, config: { hp_bytes: randomExports(r), replace_config: randomMap(r) } };
    case "meta": return { mutator, config: config(appendCustomSection(b, PATCH_SECTION, randomMeta(r))) };
    case "config": return { mutator, config: randomConfig(r, b) };
    case "names": return { mutator, config: { hp_bytes: b, replace_config: randomMap(r, true), ...(r.next() < 0.5 ? { ref_config: randomMap(r, true) } : {}) } };
  }
}

/** Replaces a section size or a vector count with a huge, negative-looking or off-by-one LEB. */
function tamperLeb(b: Uint8Array, r: Rng): Uint8Array {
  const offsets: number[] = [];
  let pos = 8;
  while (pos < b.length) {
    offsets.push(pos + 1);
    let size = 0; let shift = 0; let p = pos + 1;
    while (p < b.length) { const byte = b[p++]!; size |= (byte & 0x7f) << shift; shift += 7; if (!(byte & 0x80)) break; }
    offsets.push(p); // the first LEB of the payload: a vector count or a name length
    pos = p + size;
  }
  const at = r.pick(offsets);
  let end = at;
  while (end < b.length && b[end]! & 0x80) end++;
  const value = r.pick([[0xff, 0xff, 0xff, 0xff, 0x0f], [0x80, 0x80, 0x80, 0x80, 0x78], [0xff, 0xff, 0xff, 0xff, 0x7f], [0x00], [0x81, 0x80, 0x80, 0x80, 0x00], [(b[at] ?? 0) + 1 & 0x7f]]);
  return new Uint8Array([...b.subarray(0, at), ...value, ...b.subarray(end + 1)]);
}

const TYPES = ["i32", "i64", "f32", "f64", "v128", "funcref", "externref"];
function randomImports(r: Rng): Uint8Array {
  const imports = Array.from({ length: 1 + r.int(4) }, (_, i) => {
    const mod = r.pick(["ref", "env", "hotwasm:base", "hotwasm:link", "x", "ref"]);
    const name = r.pick(["Counter", "counter", "version", "add", "log", "callback", "memory", "table", "memory_base", "main.counter", "hidden", `n${i}`]);
    const kind = r.pick([
      `(func (param ${r.pick(TYPES.slice(0, 4))}) (result ${r.pick(TYPES.slice(0, 4))}))`, "(func)", "(func (result i32))",
      `(global ${r.pick(["i32", "i64", "f64", "(mut i32)", "(mut i64)", "(mut f32)"])})`, `(memory ${r.pick([0, 1, 65536])})`, `(table ${r.int(3)} funcref)`,
    ]);
    return `(import "${mod}" "${name}" ${kind})`;
  });
  return wat(`(module ${imports.join(" ")} (func (export "version") (result i32) (i32.const 9)))`);
}

function randomExports(r: Rng): Uint8Array {
  const names = new Set<string>();
  for (let n = 1 + r.int(4); n > 0; n--) names.add(r.pick(["version", "add", "small", "fib", "scale", "HPBeforeLoad", "HPAfterLoad", "HPBeforeUnload", "g"]));
  const fns = [...names].map((name) => {
    const params = Array.from({ length: r.int(3) }, () => r.pick(TYPES.slice(0, 4)));
    const result = r.next() < 0.3 ? null : r.pick(TYPES.slice(0, 4));
    return `(func (export "${name}") ${params.length ? `(param ${params.join(" ")})` : ""} ${result ? `(result ${result}) (${result}.const 0)` : ""})`;
  });
  const glob = names.has("version") || r.next() < 0.5 ? "" : `(global (export "version") i32 (i32.const 1))`;
  return wat(`(module ${fns.join(" ")} ${glob})`);
}

function randomMap(r: Rng, hostile = false): Record<string, string> {
  const names = hostile ? HOSTILE_NAMES : ["version", "add", "small", "fib", "scale", "main.counter", "Counter", "V", "g", "nope"];
  const map: Record<string, string> = {};
  for (let n = r.int(4); n > 0; n--) map[r.pick(names)] = r.pick(names);
  return map;
}

function randomMeta(r: Rng): Uint8Array {
  const huge = () => r.pick([-1, 2 ** 31, 2 ** 53, 1e308, 0.5, Number.MAX_SAFE_INTEGER, 65536 * 1024, 0]);
  const variants = [
    () => new Uint8Array(Array.from({ length: r.int(64) }, () => r.int(256))),
    () => json({ hotwasm: 1, base_build_id: r.pick(["0".repeat(32), "zz", "", 5]) }),
    () => json({ hotwasm: r.pick([0, 2, "1", null]) }),
    () => json({ hotwasm: 1, link: { data_size: huge(), memory_relocs: [huge(), huge()], table_relocs: [huge()], table_size: huge(), rtti_offset: r.pick([null, huge()]), classes: [{ id: huge(), name: "X" }], base_classes: huge() } }),
    () => json({ hotwasm: 1, replace_config: { version: r.pick(HOSTILE_NAMES) }, compiler: { version: "0", flags: { runtime: "incremental" } } }),
    () => new TextEncoder().encode(`{"hotwasm": 1, "replace_config": {"version": "version"`),
  ];
  return r.pick(variants)();
}

function randomConfig(r: Rng, bytes: Uint8Array): unknown {
  const value = () => r.pick<unknown>([null, 0, -1, 1e300, "", "x", [], {}, [1], { a: 1 }, true, "a".repeat(5000), bytes, new ArrayBuffer(3)]);
  const keys = ["hp_file", "hp_bytes", "replace_config", "ref_config", "policy", "junk", "__proto__"];
  const out: Record<string, unknown> = {};
  for (let n = r.int(5); n > 0; n--) out[r.pick(keys)] = r.next() < 0.4 ? value() : r.next() < 0.5 ? { [r.pick(HOSTILE_NAMES)]: value() } : { max_traps: value(), window_ms: value() };
  return r.next() < 0.1 ? r.pick<unknown>([null, "hp.wasm", 5, [], bytes]) : out;
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}
