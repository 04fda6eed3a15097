// Model-based test (fast-check): random sequences of loads, stacked loads, unloads in any order,
// reloads of a changed file, vetoing and failing hooks, refused patches and trapping calls under a
// containment policy, checked after every step against a model of what each function returns, of
// every function's patch stack and of getHPInfo. HOTWASM_MODEL_RUNS / HOTWASM_MODEL_SEED for long runs.

import { afterAll, beforeAll, expect, test } from "vitest";
import fc from "fast-check";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeHost } from "../helpers/base.js";
import { actualCalls, expectedCalls, patchBytes, replaceConfig, TARGETS, type ModelPatch, type PatchSpec, type Target } from "../helpers/patch-model.js";
import { fnPatch, wat } from "../helpers/wat.js";
import type { Host } from "../../host/core/host.js";
import type { LoadConfig } from "../../host/model/config.js";

const RUNS = Number(process.env.HOTWASM_MODEL_RUNS ?? 100);
const SEED = Number(process.env.HOTWASM_MODEL_SEED ?? 20240611);
let dir = "";
let steps = 0;
const seen = new Map<string, number>();
const note = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), "hotwasm-model-")); });
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Model { loaded: ModelPatch[]; rolledBack: string[] }
interface Real { host: Host; x: Record<string, any>; control: { veto: boolean } }
type Cmd = fc.AsyncCommand<Model, Real>;

const keyOf = (spec: PatchSpec, config: Record<string, string>) => JSON.stringify({ ...spec, maxTraps: null, config });
const top = (m: Model) => (t: Target) => m.loaded.filter((p) => p.spec.targets.includes(t)).at(-1);

/** After every step: each function, each stack and getHPInfo are what the model says. */
function check(m: Model, r: Real): void {
  steps++;
  expect(actualCalls(r.x)).toEqual(expectedCalls(top(m)));
  for (const t of TARGETS) expect([t, r.host.patchStack(t)]).toEqual([t, m.loaded.filter((p) => p.spec.targets.includes(t)).map((p) => p.id)]);
  const info = r.host.getHPInfo();
  expect(info.filter((p) => p.state === "loaded").map((p) => [p.hp_id, p.replaces.map((x) => x.in_force), p.traps ?? null])).toEqual(
    m.loaded.map((p) => [p.id, p.spec.targets.map((t) => top(m)(t) === p), p.spec.maxTraps === null ? null : p.traps]));
  expect(info.filter((p) => p.state !== "loaded").map((p) => [p.hp_id, p.state])).toEqual(m.rolledBack.map((id) => [id, "rolled_back"]));
}

async function outcome(op: Promise<unknown>): Promise<string> {
  return op.then((v) => (typeof v === "string" ? "ok" : "ok"), (e: { code?: string }) => e.code ?? String(e));
}

class Load implements Cmd {
  constructor(readonly spec: PatchSpec) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const config = replaceConfig(this.spec);
    const key = keyOf(this.spec, config);
    const policy = this.spec.maxTraps === null ? {} : { policy: { max_traps: this.spec.maxTraps, window_ms: 3_600_000 } };
    let id = "";
    const got = await outcome(r.host.loadHP({ hp_bytes: patchBytes(this.spec), replace_config: config, ...policy }).then((v) => { id = v; }));
    const expected = m.loaded.some((p) => p.key === key) ? "E_ALREADY_LOADED" : this.spec.hook === "veto-load" ? "E_HOOK_VETO" : this.spec.hook === "fail-after" ? "E_HOOK_FAILED" : "ok";
    expect(got).toBe(expected);
    note(`load ${got}`);
    if (got === "ok") {
      m.loaded.push({ key, id, spec: this.spec, traps: 0 });
      m.rolledBack = m.rolledBack.filter((x) => x !== id);
    }
    check(m, r);
  }
  toString = () => `load(${JSON.stringify(this.spec)})`;
}

class Unload implements Cmd {
  constructor(readonly pick: number, readonly veto: boolean) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const patch = m.loaded.length === 0 ? null : m.loaded[this.pick % m.loaded.length]!;
    r.control.veto = this.veto;
    const got = await outcome(r.host.unloadHP(patch?.id ?? "0".repeat(64)));
    r.control.veto = false;
    expect(got).toBe(!patch ? "E_UNKNOWN_PATCH" : this.veto ? "E_HOOK_VETO" : "ok");
    note(`unload ${got}`);
    if (got === "ok") m.loaded = m.loaded.filter((p) => p !== patch);
    check(m, r);
  }
  toString = () => `unload(${this.pick}${this.veto ? ", veto" : ""})`;
}

/** Rewrites one file with a version patch of constant k and loads it by path. */
class ReloadFile implements Cmd {
  constructor(readonly k: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const file = join(dir, `hp-${process.pid}.wasm`);
    const spec: PatchSpec = { targets: ["version"], k: this.k, hook: "none", trap: false, maxTraps: null, alias: false };
    await writeFile(file, patchBytes(spec));
    const key = keyOf(spec, replaceConfig(spec));
    let id = "";
    const got = await outcome(r.host.loadHP({ hp_file: file, replace_config: replaceConfig(spec) }).then((v) => { id = v; }));
    expect(got).toBe(m.loaded.some((p) => p.key === key) ? "E_ALREADY_LOADED" : "ok");
    note(`reload ${got}`);
    if (got === "ok") m.loaded.push({ key, id, spec, traps: 0 });
    check(m, r);
  }
  toString = () => `reloadFile(${this.k})`;
}

const REFUSED: [string, () => LoadConfig][] = [
  ["E_SIGNATURE_MISMATCH", () => ({ hp_bytes: fnPatch("version", "(result i64)", "(i64.const 2)"), replace_config: { version: "version" } })],
  ["E_UNKNOWN_SYMBOL", () => ({ hp_bytes: fnPatch("version", "(result i32)", "(i32.const 2)"), replace_config: { version: "main.nope" } })],
  ["E_UNKNOWN_EXPORT", () => ({ hp_bytes: fnPatch("version", "(result i32)", "(i32.const 2)"), replace_config: { nope: "version" } })],
  ["E_DATA_OUTSIDE_ARENA", () => ({ hp_bytes: wat(`(module (import "env" "memory" (memory 1)) (data (i32.const 8) "x") (func (export "v") (result i32) (i32.const 2)))`), replace_config: { v: "version" } })],
  ["E_INVALID_MODULE", () => ({ hp_bytes: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 9]), replace_config: { v: "version" } })],
  ["E_START_FUNCTION", () => ({ hp_bytes: wat(`(module (func $s) (start $s) (func (export "v") (result i32) (i32.const 2)))`), replace_config: { v: "version" } })],
  ["E_INVALID_CONFIG", () => ({ hp_bytes: fnPatch("v", "(result i32)", "(i32.const 2)"), replace_config: { v: "version" }, policy: { max_traps: 1, window_ms: 0 } })],
];

class Refused implements Cmd {
  constructor(readonly which: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const [code, config] = REFUSED[this.which % REFUSED.length]!;
    expect(await outcome(r.host.loadHP(config()))).toBe(code);
    note(`refused ${code}`);
    check(m, r);
  }
  toString = () => `refused(${REFUSED[this.which % REFUSED.length]![0]})`;
}

/** Calls add(-1, 0): a trapping patch in force traps; over its policy's limit it is rolled back. */
class CallTrap implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    const p = top(m)("add");
    let got: number | string;
    try { got = r.x.add(-1, 0) as number; } catch (e) { got = e instanceof WebAssembly.RuntimeError ? "trap" : String(e); }
    if (!p?.spec.trap) {
      expect(got).toBe(-1 + (p?.spec.k ?? 0));
    } else {
      expect(got).toBe("trap");
      note("trap");
      if (p.spec.maxTraps !== null && ++p.traps > p.spec.maxTraps) {
        note("rollback");
        m.loaded = m.loaded.filter((q) => q !== p);
        m.rolledBack = [...m.rolledBack.filter((x) => x !== p.id), p.id].slice(-32);
      }
    }
    check(m, r);
  }
  toString = () => "callTrap";
}

const target = fc.constantFrom(...TARGETS);
const spec: fc.Arbitrary<PatchSpec> = fc.record({
  targets: fc.uniqueArray(target, { minLength: 1, maxLength: 3 }),
  k: fc.integer({ min: 2, max: 6 }),
  hook: fc.constantFrom("none", "none", "none", "none", "veto-load", "fail-after") as fc.Arbitrary<PatchSpec["hook"]>,
  trap: fc.boolean(),
  maxTraps: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
  alias: fc.boolean(),
}).map((s) => {
  const alias = s.alias && (s.targets[0] === "small" || s.targets[0] === "fib");
  const targets = alias ? [s.targets[0]!] : s.targets;
  return { ...s, alias, targets, trap: s.trap && !alias && targets.includes("add") };
});

const commands = fc.commands([
  spec.map((s) => new Load(s)),
  spec.map((s) => new Load(s)),
  fc.tuple(fc.nat(), fc.boolean()).map(([i, veto]) => new Unload(i, veto)),
  fc.tuple(fc.nat(), fc.constant(false)).map(([i, veto]) => new Unload(i, veto)),
  fc.integer({ min: 2, max: 4 }).map((k) => new ReloadFile(k)),
  fc.nat().map((i) => new Refused(i)),
  fc.constant(new CallTrap()),
], { maxCommands: 40, size: "max" });

test("random operation sequences agree with the model after every step", async () => {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(commands, async (cmds) => {
      runs++;
      // Every run (and every shrink) starts from a fresh, unpatched base.
      const control = { veto: false };
      const { host, x } = await makeHost(() => { if (control.veto) throw new Error("vetoed by the test"); });
      await fc.asyncModelRun(() => ({ model: { loaded: [], rolledBack: [] }, real: { host, x, control } }), cmds);
    }),
    { numRuns: RUNS, seed: SEED },
  );
  const counts = [...seen].sort().map(([k, n]) => `${k} ${n}`).join(", ");
  console.log(`model: ${runs} runs, ${steps} steps (seed ${SEED}), every step matched the model; ${counts}`);
  for (const what of ["load ok", "load E_ALREADY_LOADED", "load E_HOOK_VETO", "load E_HOOK_FAILED", "unload ok", "unload E_HOOK_VETO", "reload ok", "trap", "rollback"]) {
    expect([what, seen.get(what) ?? 0]).not.toEqual([what, 0]);
  }
}, 600_000);
