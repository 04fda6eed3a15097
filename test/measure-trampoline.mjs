#!/usr/bin/env node
// The cost of trap-containment trampolines: fib(27) through a patched, recursive fib, with no patch
// that has a policy (no trampolines) and with one loaded on another function (every replacement
// behind a trampoline). Median of 7 calls, median of 3 hosts each. Run after `npm run build:ts`:
//   node test/measure-trampoline.mjs

import { readFileSync } from "node:fs";
import binaryen from "binaryen";
import { buildPatchable } from "../dist/compiler/base/build.js";
import { Host } from "../dist/host/core/host.js";

const source = readFileSync(new URL("./fixtures/base-app.ts", import.meta.url), "utf8");
const { binary } = await buildPatchable({ entries: ["assembly/index.ts"], files: { "assembly/index.ts": source }, outFile: false, config: false, ascArgs: ["-O3"] });
const wat = (text) => { const m = binaryen.parseText(text); m.setFeatures(binaryen.Features.All); const b = m.emitBinary(); m.dispose(); return b; };
const fib = wat(`(module (import "ref" "fib" (func $fib (param i32) (result i32)))
  (func (export "fib2") (param i32) (result i32)
    (if (result i32) (i32.lt_s (local.get 0) (i32.const 2)) (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2))))))))`);
const guarded = wat(`(module (func (export "v") (result i32) (i32.const 1)))`);

async function measure(withPolicy) {
  const host = await Host.instantiate(binary, { env: { log() {}, callback() {} } });
  await host.loadHP({ hp_bytes: fib, replace_config: { fib2: "fib" } });
  if (withPolicy) await host.loadHP({ hp_bytes: guarded, replace_config: { v: "version" }, policy: { max_traps: 1, window_ms: 1000 } });
  host.exports.fib(20);
  const times = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    host.exports.fib(27);
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[3];
}

const plain = [], trampolined = [];
for (let r = 0; r < 3; r++) { plain.push(await measure(false)); trampolined.push(await measure(true)); }
const median = (xs) => xs.sort((a, b) => a - b)[1];
const calls = 635621; // calls of fib in fib(27)
console.log(`fib(27), ${calls} calls of a patched fib: no policy loaded ${median(plain).toFixed(1)} ms, ` +
  `a policy loaded (trampolines) ${median(trampolined).toFixed(1)} ms: x${(median(trampolined) / median(plain)).toFixed(2)}, ` +
  `+${(((median(trampolined) - median(plain)) * 1e6) / calls).toFixed(1)} ns per call`);
