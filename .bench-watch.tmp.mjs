import { readFileSync } from "node:fs";
import { buildPatchable } from "./dist/compiler/build.js";
import { Host } from "./dist/host/host.js";
const src = readFileSync("test/fixtures/base-app.ts", "utf8");
const { binary } = await buildPatchable({ entries: ["assembly/index.ts"], files: { "assembly/index.ts": src }, outFile: false, config: false, ascArgs: ["-O3"] });
const host = await Host.instantiate(binary, { env: { log() {}, callback() {} } });
const watched = host.exports.add, raw = host.instance.exports.add;
function loop(f) { let s = 0; for (let i = 0; i < 5e6; i++) s += f(i, 1); return s; }
for (let r = 0; r < 3; r++) {
  let t = performance.now(); loop(raw); const a = performance.now() - t;
  t = performance.now(); loop(watched); const b = performance.now() - t;
  console.log(`5M calls of add: raw ${a.toFixed(1)} ms, via host.exports ${b.toFixed(1)} ms (+${((b - a) * 1e6 / 5e6).toFixed(2)} ns/call)`);
}
