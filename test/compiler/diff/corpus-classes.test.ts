// `hotwasm diff` of class and field edits on real programs nobody here wrote (test/fixtures/corpus,
// the new-class, new-generic and new-fields edits of each program), under the incremental runtime:
// - a new class or generic instantiation: loaded into a program that holds state, the patch
//   answers as a plain build of the edited sources run through the same calls; unloaded, the
//   program answers as the original;
// - new fields: loaded before the program's state is built (so every object is created under the
//   patch and gets its fields at construction), the patch answers as the plain edited build;
//   loaded after, the program keeps working and objects made before read the initial values;
//   unloaded, it answers as the original.
// json's generic-fields adds fields to a generic class (JSONDecoder<T>) whose one object the
// library made before the load.
// bigint's new-generic also adds a static field whose initialiser is not a constant (a Map): the
// patch runs it once at load, and the report lists it.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildPatchable } from "../../../compiler/base/build.js";
import { buildDiff } from "../../../compiler/diff/build-diff.js";
import { Host } from "../../../host/core/host.js";
import { instantiatePlain, listCorpus, materialise, playCalls, readEdit, readScenario, removeTree, type Scenario, type ScenarioCall } from "../../helpers/corpus.js";

const programs = await listCorpus();
/** New globals an edit initialises in top-level code, as their EDIT.md says. */
const INITIALISED: Record<string, string[]> = { "bigint/new-generic": ["assembly/BigInt/BigInt.powersOfTen"] };

describe.each(programs.map((p) => [p.name, p] as const))("%s", (_, program) => {
  let dir = "";
  let scenario: Scenario;
  let base: Uint8Array;
  let original: Uint8Array;
  beforeAll(async () => {
    dir = await materialise(program);
    scenario = await readScenario(program);
    base = (await buildPatchable({ cwd: dir, entries: ["entry.ts"], outFile: false, config: false, ascArgs: ["-O3"] })).binary;
    original = await plainBuild(dir);
  });
  afterAll(() => removeTree(dir));

  test.each(["new-class", "new-generic"])("%s: answers as the edited program on the same state; unloads back", async (edit) => {
    const files = await readEdit(program, edit);
    const { report, patch } = await buildDiff({ base, cwd: dir, files });
    expect(report.classes.length).toBeGreaterThan(0);
    expect(report.initialisers).toEqual(INITIALISED[`${program.name}/${edit}`] ?? []);
    expect(report.fields).toEqual([]);
    const host = await Host.instantiate(base);
    const reference = await instantiatePlain(await plainBuild(dir, files));
    const before = [...scenario.setup, ...scenario.probe];
    playCalls(host.exports, before, scenario);
    playCalls(reference, before, scenario);
    const id = await host.loadHP({ hp_bytes: patch!.binary });
    const patched = [...scenario.probe, ...scenario.edits[edit]!.calls];
    expect(playCalls(host.exports, patched, scenario)).toEqual(playCalls(reference, patched, scenario));
    host.exports.__collect();
    await host.unloadHP(id);
    await expectOriginalAgain(host, [...before, ...patched], edit);
  });

  test("new-fields: objects made under the patch answer as the edited program; objects made before keep working; unloads back", async () => {
    const files = await readEdit(program, "new-fields");
    const { report, patch } = await buildDiff({ base, cwd: dir, files });
    expect(report.fields.length).toBe(2);
    const calls = [...scenario.setup, ...scenario.probe, ...scenario.edits["new-fields"]!.calls];
    // Loaded first: the program's state is built under the patch.
    const first = await Host.instantiate(base);
    await first.loadHP({ hp_bytes: patch!.binary });
    const reference = await instantiatePlain(await plainBuild(dir, files));
    const results = playCalls(first.exports, calls, scenario);
    // json's log encoder is made at start, before any load: its depth starts from the initial value.
    if (program.name !== "json") expect(results).toEqual(playCalls(reference, calls, scenario));
    expect(results.filter((r) => typeof r === "string" && r.startsWith("trap:"))).toEqual([]);
    // Loaded over state: nothing traps, and after unload the program answers as the original.
    const host = await Host.instantiate(base);
    const before = [...scenario.setup, ...scenario.probe];
    playCalls(host.exports, before, scenario);
    const id = await host.loadHP({ hp_bytes: patch!.binary });
    const patched = [...scenario.probe, ...scenario.edits["new-fields"]!.calls];
    expect(playCalls(host.exports, patched, scenario).filter((r) => typeof r === "string" && r.startsWith("trap:"))).toEqual([]);
    expect(host.getHPInfo()[0]!.shadow!.fields).toEqual(report.fields);
    host.exports.__collect();
    await host.unloadHP(id);
    await expectOriginalAgain(host, [...before, ...patched], "new-fields");
  });

  // json's generic-fields: new fields of a generic class of the library, on its one decoder, made before the load.
  if (program.edits.includes("generic-fields")) {
    test("generic-fields: new fields of a generic class, on an object made before the load, answer as the edited program; unloads back", async () => {
      const files = await readEdit(program, "generic-fields");
      const { report, patch } = await buildDiff({ base, cwd: dir, files });
      expect(report.fields).toEqual(["assembly/decoder/JSONDecoder.depth", "assembly/decoder/JSONDecoder.deepest"]);
      const host = await Host.instantiate(base);
      const reference = await instantiatePlain(await plainBuild(dir, files));
      const before = [...scenario.setup, ...scenario.probe];
      playCalls(host.exports, before, scenario);
      playCalls(reference, before, scenario);
      const id = await host.loadHP({ hp_bytes: patch!.binary });
      const calls = scenario.edits["generic-fields"]!.calls;
      const results = playCalls(host.exports, calls, scenario);
      expect(results).toEqual(playCalls(reference, calls, scenario));
      expect(results.at(-1)).toMatch(/ deepest=4$/);
      host.exports.__collect();
      await host.unloadHP(id);
      await expectOriginalAgain(host, [...before, ...calls], "generic-fields");
    });
  }

  /** After unload, `host` answers the probe as the original program run through `ran` (less the calls that trap there). */
  async function expectOriginalAgain(host: Host, ran: ScenarioCall[], edit: string): Promise<void> {
    const old = await instantiatePlain(original);
    // A call that traps in the original leaves its state mid-way (EDIT.md): the original skips it.
    const calls = scenario.edits[edit]!.calls;
    playCalls(old, scenario.edits[edit]!.originalTraps ? ran.filter((c) => !calls.includes(c)) : ran, scenario);
    const again = [...scenario.probe, ...(scenario.edits[edit]!.originalTraps ? [] : scenario.edits[edit]!.calls)].filter(([name]) => name !== "stats" && name !== "history");
    expect(playCalls(host.exports, again, scenario)).toEqual(playCalls(old, again, scenario));
  }
});

function plainBuild(dir: string, files?: Record<string, string>): Promise<Uint8Array> {
  return buildPatchable({ cwd: dir, entries: ["entry.ts"], files, outFile: false, config: false, plain: true, ascArgs: ["-O0"] }).then((r) => r.binary);
}

