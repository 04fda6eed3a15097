// The CLI as a subprocess: build and inspect, --help with examples, exit codes 0 / 1 / 2.

import { afterAll, beforeAll, expect, test } from "vitest";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Host } from "../../host/core/host.js";

const bin = fileURLToPath(new URL("../../bin/hotwasm.js", import.meta.url));
let dir = "";

function hotwasm(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return hotwasmIn(dir, ...args);
}

function hotwasmIn(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotwasm-cli-"));
  await mkdir(join(dir, "assembly"));
  await writeFile(join(dir, "assembly/index.ts"), "export function answer(): i32 { return 42; }\nfunction helper(): void {}\n");
  await writeFile(join(dir, "asconfig.json"), JSON.stringify({ entries: ["assembly/index.ts"], targets: { release: { outFile: "out/app.wasm", optimizeLevel: 3 } } }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test("build from asconfig.json, then inspect it", async () => {
  const built = await hotwasm("build");
  expect(built.code).toBe(0);
  expect(built.stdout).toMatch(/^built .*out\/app\.wasm \(target release, -O3s0, runtime incremental\): 1 patchable function, build id [0-9a-f]{32}, patch arena 65536 bytes at \d+/);
  expect(built.stderr).toBe("");
  const shown = await hotwasm("inspect", "out/app.wasm");
  expect(shown.code).toBe(0);
  expect(shown.stdout).toMatch(/patchable functions \(1\)\n  #\d+ +assembly\/index\/answer +\(\) => i32/);
  const json = JSON.parse((await hotwasm("inspect", "out/app.wasm", "--json")).stdout);
  expect(json.functions.find((f: { name: string }) => f.name === "assembly/index/answer").slot).toBeGreaterThan(0);
});

test("build with entries, -o, globs and asc options after --", async () => {
  const r = await hotwasm("build", "assembly/index.ts", "-o", "out/x.wasm", "--patchable", "!answer", "--json", "--", "-O0", "--runtime", "stub");
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.patchable).toBe(0);
  const m = JSON.parse((await hotwasm("inspect", "out/x.wasm", "--json")).stdout);
  expect(m.compiler.flags.runtime).toBe("stub");
});

test("build --safepoints: recorded in the manifest, shown by inspect; a bad mode is a usage error", async () => {
  const r = await hotwasm("build", "assembly/index.ts", "-o", "out/sp.wasm", "--safepoints", "loops", "--poll-interval", "50", "--json");
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).safepoints).toMatchObject({ mode: "loops", interval: 50 });
  expect((await hotwasm("inspect", "out/sp.wasm")).stdout).toMatch(/safepoints loops, a poll every 50 sites \(0 entries, 0 loops\)/);
  expect((await hotwasm("inspect", "out/app.wasm")).stdout).toMatch(/safepoints off/);
  const bad = await hotwasm("build", "--safepoints", "sometimes");
  expect([bad.code, bad.stderr.trim()]).toEqual([2, 'error: --safepoints must be one of off, entries, loops, both, not "sometimes"']);
  expect((await hotwasm("build", "--safepoints", "both", "--poll-interval", "0")).code).toBe(2);
});

test("exit codes: 2 for usage, 1 for failures, with a clear message", async () => {
  expect((await hotwasm("frobnicate")).code).toBe(2);
  expect((await hotwasm("build", "--arena", "lots")).code).toBe(2);
  const missing = await hotwasm("inspect", "nope.wasm");
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/^error E_PATCH_READ_FAILED: cannot read nope\.wasm/);
  await writeFile(join(dir, "bad.ts"), "export function f(): i32 { return nope; }\n");
  const broken = await hotwasm("build", "bad.ts", "-o", "out/bad.wasm");
  expect(broken.code).toBe(1);
  expect(broken.stderr).toMatch(/Cannot find name 'nope'/);
});

test("--help on every command shows examples", async () => {
  for (const cmd of ["build", "inspect", "patch", "diff"]) {
    const r = await hotwasm(cmd, "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n  \$ hotwasm/);
  }
  expect((await hotwasm("--help")).stdout).toMatch(/Commands:/);
});

test("patch builds an allocating patch against a base; refusals exit 1 with their code", async () => {
  await mkdir(join(dir, "patches"), { recursive: true });
  await writeFile(join(dir, "patches/fix.ts"), `export function answer(): i32 { const s = "4" + "3"; return I32.parseInt(s); }\n`);
  expect((await hotwasm("build", "-o", "out/base.wasm")).code).toBe(0);
  const built = await hotwasm("patch", "patches/fix.ts", "--base", "out/base.wasm", "-o", "out/fix.wasm");
  expect(built.stderr).toBe("");
  expect(built.code).toBe(0);
  expect(built.stdout).toMatch(/^built .*out\/fix\.wasm for base [0-9a-f]{32}: answer -> assembly\/index\/answer; \d+ bytes of static data/);
  expect((await hotwasm("inspect", "out/fix.wasm")).stdout).toMatch(/replaces +answer -> assembly\/index\/answer/);
  await writeFile(join(dir, "patches/bad.ts"), `export function answer(x: i32): i32 { return x; }\n`);
  const bad = await hotwasm("patch", "patches/bad.ts", "--base", "out/base.wasm");
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/^error E_SIGNATURE_MISMATCH: /);
  expect((await hotwasm("patch", "patches/fix.ts", "--base", "out/base.wasm", "--replace", "oops")).code).toBe(2);
});

test("diff: no change writes nothing; an edit becomes a patch; a rude edit exits 1 with its codes", async () => {
  const source = "export function answer(): i32 { return 42; }\nfunction helper(): void {}\n";
  await writeFile(join(dir, "assembly/index.ts"), source);
  expect((await hotwasm("build", "-o", "out/diffbase.wasm")).code).toBe(0);
  const none = await hotwasm("diff", "--base", "out/diffbase.wasm", "-o", "out/none.wasm");
  expect([none.code, none.stdout.trim().split("\n").at(-1)]).toEqual([0, "no change to patch; nothing written"]);
  await writeFile(join(dir, "assembly/index.ts"), source.replace("42", "43"));
  const changed = await hotwasm("diff", "--base", "out/diffbase.wasm", "-o", "out/d.wasm");
  expect(changed.code).toBe(0);
  expect(changed.stdout).toMatch(/^changed 1, added 0, unchanged \d+\n  changed  assembly\/index\/answer \(edited\)\nwrote .*out\/d\.wasm: \d+ bytes, 0 of them static data, in \d+ ms\n$/);
  // A new global whose initialiser is not a constant: listed, and run at load.
  await writeFile(join(dir, "assembly/index.ts"), source.replace("return 42;", "return squares.get(7);").replace("function helper", "const squares = new Map<i32, i32>().set(7, 49);\nfunction helper"));
  const initialised = await hotwasm("diff", "--base", "out/diffbase.wasm", "-o", "out/init.wasm");
  expect(initialised.code).toBe(0);
  expect(initialised.stdout).toMatch(/\n {2}changed  assembly\/index\/answer \(edited\)\n {2}class {4}~lib\/map\/Map<i32,i32>\n {2}init {5}assembly\/index\/squares\nwrote /);
  const host = await Host.instantiate(await readFile(join(dir, "out/diffbase.wasm")));
  await host.loadHP({ hp_bytes: await readFile(join(dir, "out/init.wasm")) });
  expect(host.exports.answer()).toBe(49);
  await writeFile(join(dir, "assembly/index.ts"), source.replace("42", "43"));
  // From another folder of the project: the same patch (paths are relative to the project root).
  const fromSub = await hotwasmIn(join(dir, "assembly"), "diff", "--base", "../out/diffbase.wasm", "-o", "../out/d2.wasm");
  expect(fromSub.code).toBe(0);
  expect(await readFile(join(dir, "out/d2.wasm"))).toEqual(await readFile(join(dir, "out/d.wasm")));
  await writeFile(join(dir, "assembly/index.ts"), source.replace("answer(): i32", "answer(x: i32): i32"));
  const rude = await hotwasm("diff", "--base", "out/diffbase.wasm", "--json");
  expect(rude.code).toBe(1);
  expect(rude.stderr).toMatch(/^error E_SIGNATURE_MISMATCH: the edit cannot be applied as a patch \(1 cause\):\n  assembly\/index\.ts:1:1: E_SIGNATURE_MISMATCH: assembly\/index\/answer changed its signature/);
  const problems = JSON.parse(rude.stdout).error.problems;
  expect(problems).toEqual([expect.objectContaining({ code: "E_SIGNATURE_MISMATCH", symbol: "assembly/index/answer", at: "assembly/index.ts:1:1" })]);
  await writeFile(join(dir, "assembly/index.ts"), source);
});
