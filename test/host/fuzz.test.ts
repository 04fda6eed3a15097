// Fuzzing loadHP: thousands of malformed patches and configs, seeded and reproducible. Each is
// either refused with a known code (never E_INTERNAL, never another exception) and changes nothing
// — the base's calls, getHPInfo and its memory byte for byte — or, when the mutant is still a valid
// patch, loads and unloads cleanly. HOTWASM_FUZZ_CASES / HOTWASM_FUZZ_SEED for long runs (npm run fuzz).

import { expect, test } from "vitest";
import { makeHost } from "../helpers/base.js";
import { fuzzCase, MUTATORS, seedPatches } from "../helpers/fuzz-inputs.js";
import { ERROR_CODES, isHotwasmError } from "../../host/errors.js";
import type { LoadConfig } from "../../host/model/config.js";

const CASES = Number(process.env.HOTWASM_FUZZ_CASES ?? 2000);
const SEED = Number(process.env.HOTWASM_FUZZ_SEED ?? 1);

test(`${CASES} malformed patches and configs: each refused with a code, nothing changed`, async () => {
  const { host, x } = await makeHost();
  const memory = x.memory as WebAssembly.Memory;
  const seeds = seedPatches(host.manifest.arena.start, host.manifest.buildId, host.manifest.classes.length);
  const baseline = () => [x.version(), x.add(2, 3), x.useSmall(3), x.fib(10), x.scale(1.5), x.getHidden(), x.viaRef(3), x.counter.value];
  const expected = baseline();
  const outcomes = new Map<string, number>();
  let snapshot = Buffer.from(memory.buffer).subarray();
  let before = Buffer.from(snapshot);
  for (let i = 0; i < CASES; i++) {
    const { mutator, config } = fuzzCase(SEED, i, seeds);
    const where = `case ${i} (seed ${SEED}, ${mutator})`;
    let outcome: string;
    try {
      const id = await host.loadHP(config as LoadConfig);
      outcome = "loaded";
      // A mutant that is still a valid patch: it must unload cleanly (its code is never called: it may loop).
      await host.unloadHP(id);
      await host.releaseRetained();
      before = Buffer.from(memory.buffer); // its data may stay in the arena
    } catch (err) {
      if (!isHotwasmError(err)) throw new Error(`${where}: not a HotwasmError: ${String(err)}`, { cause: err });
      if (!(err.code in ERROR_CODES) || err.code === "E_INTERNAL") throw new Error(`${where}: ${err.code}: ${err.message}`, { cause: err });
      outcome = err.code;
      snapshot = Buffer.from(memory.buffer);
      if (!snapshot.equals(before)) throw new Error(`${where}: the refused load changed the base's memory`);
    }
    outcomes.set(`${mutator} ${outcome}`, (outcomes.get(`${mutator} ${outcome}`) ?? 0) + 1);
    if (host.getHPInfo().length !== 0) throw new Error(`${where}: getHPInfo is not empty`);
    const now = baseline();
    if (JSON.stringify(now, (_, v) => (typeof v === "bigint" ? String(v) : v)) !== JSON.stringify(expected, (_, v) => (typeof v === "bigint" ? String(v) : v))) {
      throw new Error(`${where}: the base behaves differently: ${String(now)}`);
    }
  }
  const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
  const byCode = new Map<string, number>();
  for (const [k, n] of outcomes) byCode.set(k.split(" ")[1]!, (byCode.get(k.split(" ")[1]!) ?? 0) + n);
  console.log(`fuzz: ${total} cases (seed ${SEED}, ${MUTATORS.length} mutators), 0 failures; ${[...byCode].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ")}`);
  expect(total).toBe(CASES);
}, 3_600_000);
