// The corpus of real programs (test/fixtures/corpus): each one's patchable build (incremental
// runtime, -O3) answers its scenario exactly as the plain asc build does — the state-building
// calls, the probes, and every edit's probe calls that the original program can run.

import { describe, expect, test } from "vitest";
import { instantiate } from "@assemblyscript/loader";
import { buildPatchable } from "../../../compiler/base/build.js";
import { listCorpus, readScenario, runCalls, type Scenario, type ScenarioCall } from "../../helpers/corpus.js";

const programs = await listCorpus();
const ascArgs = ["-O3", "--runtime", "incremental"];

describe("corpus: patchable builds behave as plain builds", () => {
  test("the corpus holds at least three programs, each with the six edits", () => {
    expect(programs.length).toBeGreaterThanOrEqual(3);
    for (const p of programs) expect(p.edits).toEqual(["body-fix", "new-helper", "add-lines", "new-class", "new-generic", "new-fields"]);
  });

  test.each(programs.map((p) => [p.name, p] as const))("%s", async (_, program) => {
    const scenario = await readScenario(program);
    const build = (plain: boolean) => buildPatchable({ cwd: program.dir, entries: [program.entry], outFile: false, config: false, plain, ascArgs });
    const plain = await build(true);
    const patchable = await build(false);
    const own = patchable.manifest!.functions.filter((f) => f.slot !== null && !f.name.startsWith("~lib/"));
    expect(own.length).toBeGreaterThanOrEqual(scenario.minPatchable);
    const expected = await play(plain.binary, scenario);
    expect(expected.flat().some((r) => typeof r === "string" && r.length > 0)).toBe(true);
    expect(await play(patchable.binary, scenario)).toEqual(expected);
  });
});

/** Runs setup, probe, the edits' probe calls (those the original can run), and the probe again. */
async function play(binary: Uint8Array, scenario: Scenario): Promise<unknown[][]> {
  const { exports } = (await instantiate(binary as BufferSource, {})) as { exports: Record<string, any> };
  const editCalls: ScenarioCall[] = Object.values(scenario.edits).filter((e) => !e.originalTraps).flatMap((e) => e.calls);
  return [scenario.setup, scenario.probe, editCalls, scenario.probe].map((calls) => runCalls(exports, calls, scenario.returnsString));
}
