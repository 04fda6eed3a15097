// The corpus of real programs (test/fixtures/corpus): at least three of them compile 100+ patchable
// functions of their own, and each one's patchable build (incremental runtime, -O3) answers its
// scenario exactly as the plain asc build does — the state-building calls, the probes, and every
// edit's probe calls that the original program can run. Each program is built once per variant.

import { describe, expect, test } from "vitest";
import { instantiate } from "@assemblyscript/loader";
import { buildPatchable } from "../../../compiler/base/build.js";
import { EDIT_NAMES, listCorpus, readScenario, runCalls, type CorpusProgram, type Scenario, type ScenarioCall } from "../../helpers/corpus.js";

/** The own patchable functions a program needs to count toward the corpus's three. */
const FLOOR = 100;
const ascArgs = ["-O3", "--runtime", "incremental"];
const programs = await Promise.all((await listCorpus()).map(async (program) => ({ program, scenario: await readScenario(program) })));

describe("corpus: patchable builds behave as plain builds", () => {
  test(`the corpus holds at least three programs of ${FLOOR}+ patchable functions, each with the six edits`, () => {
    // Every program has the six edits; a program may have more of its own (json: generic-fields).
    for (const { program } of programs) expect(program.edits.filter((e) => (EDIT_NAMES as readonly string[]).includes(e)), program.name).toEqual([...EDIT_NAMES]);
    const counted = programs.filter((p) => !p.scenario.extra);
    expect(counted.length).toBeGreaterThanOrEqual(3);
    for (const { program, scenario } of counted) expect(scenario.minPatchable, program.name).toBeGreaterThanOrEqual(FLOOR);
  });

  test.each(programs.map((p) => [title(p.program, p.scenario), p] as const))("%s", async (_, { program, scenario }) => {
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

/** The test's name: the program and the floor its own patchable functions must reach. */
function title(program: CorpusProgram, scenario: Scenario): string {
  const kind = scenario.extra ? "an extra, not one of the three" : "one of the three";
  return `${program.name} (${kind}): ${scenario.minPatchable}+ own patchable functions, answers as the plain build`;
}

/** Runs setup, probe, the edits' probe calls (those the original can run), and the probe again. */
async function play(binary: Uint8Array, scenario: Scenario): Promise<unknown[][]> {
  const { exports } = (await instantiate(binary as BufferSource, {})) as { exports: Record<string, any> };
  const editCalls: ScenarioCall[] = Object.values(scenario.edits).filter((e) => !e.originalTraps).flatMap((e) => e.calls);
  return [scenario.setup, scenario.probe, editCalls, scenario.probe].map((calls) => runCalls(exports, calls, scenario.returnsString));
}
