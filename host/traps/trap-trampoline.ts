// A tiny Wasm module, built in the host without a compiler, that calls one patch function with the
// patch's token in a shared global: `saved = cur; cur = token; results = f(args); cur = saved`.
// A trap skips the restore, so after a trap `cur` names the innermost patch frame that was running.

import { HotwasmError } from "../errors.js";
import { uleb } from "../wasm/wasm-sections.js";

/** A function type as the manifest writes it. */
export interface TrampolineType {
  params: string[];
  results: string[];
}

const VALTYPES = new Map<string, number>([["i32", 0x7f], ["i64", 0x7e], ["f32", 0x7d], ["f64", 0x7c], ["v128", 0x7b], ["funcref", 0x70], ["externref", 0x6f]]);
const cache = new Map<string, WebAssembly.Module>();

/** Instantiates the trampoline for `fn` (of `type`) with `token`; the result goes into the base's table. */
export function makeTrampoline(fn: Function, type: TrampolineType, cur: WebAssembly.Global, token: number): Function {
  const key = `${type.params.join(",")}->${type.results.join(",")}`;
  let module = cache.get(key);
  if (!module) {
    module = new WebAssembly.Module(trampolineBinary(type) as BufferSource);
    cache.set(key, module);
  }
  const tok = new WebAssembly.Global({ value: "i32", mutable: false }, token);
  const instance = new WebAssembly.Instance(module, { t: { f: fn as WebAssembly.ImportValue, cur, tok } });
  return instance.exports.w as Function;
}

/** True when every value of `type` can pass through a trampoline. */
export function canTrampoline(type: TrampolineType): boolean {
  return [...type.params, ...type.results].every((t) => VALTYPES.has(t));
}

/** The trampoline module's bytes for `type`. */
export function trampolineBinary(type: TrampolineType): Uint8Array {
  if (!canTrampoline(type)) throw new HotwasmError("E_INTERNAL", `no trampoline for type (${type.params}) -> (${type.results})`);
  const vt = (t: string) => VALTYPES.get(t)!;
  const funcType = [0x60, ...vec(type.params.map(vt)), ...vec(type.results.map(vt))];
  const imports = [
    ...name("t"), ...name("f"), 0x00, 0x00, // func of type 0
    ...name("t"), ...name("cur"), 0x03, 0x7f, 0x01, // global (mut i32)
    ...name("t"), ...name("tok"), 0x03, 0x7f, 0x00, // global i32
  ];
  const saved = type.params.length;
  const body = [
    ...uleb(1), ...uleb(1), 0x7f, // one local of type i32
    0x23, 0x00, 0x21, ...uleb(saved), // saved = cur
    0x23, 0x01, 0x24, 0x00, // cur = tok
    ...type.params.flatMap((_, i) => [0x20, ...uleb(i)]), 0x10, 0x00, // f(args)
    0x20, ...uleb(saved), 0x24, 0x00, // cur = saved (the results stay below on the stack)
    0x0b,
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [...uleb(1), ...funcType]),
    ...section(2, [...uleb(3), ...imports]),
    ...section(3, [...uleb(1), 0x00]),
    ...section(7, [...uleb(1), ...name("w"), 0x00, ...uleb(1)]),
    ...section(10, [...uleb(1), ...uleb(body.length), ...body]),
  ]);
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function vec(items: number[]): number[] {
  return [...uleb(items.length), ...items];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}
