// `hotwasm diff` on real programs nobody here wrote (test/fixtures/corpus): for each program and
// each of its edits a patch must apply (a body fix, a new helper with a new literal, lines added
// above other functions), the patch is built from the edited tree; loaded into a running program
// that holds state, it answers exactly as a plain build of the edited sources run through the same
// calls, and keeps the state; unloaded, the program answers as the original again. Only edited
// functions (and functions that inline one) are in the patch. The same patch comes out from
// another working directory. In `npm test`: every program under the incremental runtime and one
// program under each other runtime; `npm run corpus` runs every program under every runtime.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { buildPatchable } from "../../../compiler/base/build.js";
import { buildDiff } from "../../../compiler/diff/build-diff.js";
import { Host } from "../../../host/core/host.js";
import { instantiatePlain, listCorpus, materialise, playCalls, readEdit, readScenario, removeTree, type CorpusProgram, type Scenario } from "../../helpers/corpus.js";

const EDITS = ["body-fix", "new-helper", "add-lines"] as const;
const RUNTIMES = ["incremental", "minimal", "stub"] as const;
const FULL = process.env.HOTWASM_CORPUS_FULL === "1";
/** Calls that read counters of the whole history (they differ after a phase run under the patch). */
const COUNTERS = new Set(["stats", "history"]);

const programs = await listCorpus();
const named = (name: string) => programs.find((p) => p.name === name)!;
const matrix: [CorpusProgram, (typeof RUNTIMES)[number]][] = FULL
  ? programs.flatMap((p) => RUNTIMES.map((r) => [p, r] as [CorpusProgram, (typeof RUNTIMES)[number]]))
  : [...programs.map((p) => [p, "incremental"] as [CorpusProgram, "incremental"]), [named("json"), "minimal"], [named("regex"), "stub"]];

describe.each(matrix.map(([p, r]) => [p.name, r, p] as const))("%s under the %s runtime", (_, runtime, program) => {
  let dir = "";
  let scenario: Scenario;
  let base: Uint8Array;
  let original: Uint8Array;
  const ascArgs = (level: string) => [level, "--runtime", runtime];
  beforeAll(async () => {
    dir = await copyWithRoot(program);
    scenario = await readScenario(program);
    base = (await buildPatchable({ cwd: dir, entries: ["entry.ts"], outFile: false, config: false, ascArgs: ascArgs("-O3") })).binary;
    original = (await buildPatchable({ cwd: dir, entries: ["entry.ts"], outFile: false, config: false, plain: true, ascArgs: ascArgs("-O0") })).binary;
  });
  afterAll(() => removeTree(dir));

  test.each(EDITS)("%s: only edited functions; behaves as the edited program on the same state; unloads back", async (edit) => {
    const files = await readEdit(program, edit);
    const { report, patch } = await buildDiff({ base, cwd: dir, files });
    expect(patch).not.toBeNull();
    const modules = Object.keys(files).map((f) => f.replace(/\.ts$/, "/"));
    const reasons = Object.entries(report.reasons);
    expect(reasons.some(([, why]) => why === "edited")).toBe(true);
    for (const [name, why] of reasons) {
      expect(why, name).toMatch(/^(edited|inlines an edited function)/);
      if (why === "edited") expect(modules.some((m) => name.startsWith(m)), name).toBe(true);
    }
    const edited = (await buildPatchable({ cwd: dir, entries: ["entry.ts"], files, outFile: false, config: false, plain: true, ascArgs: ascArgs("-O0") })).binary;
    const { calls, originalTraps } = scenario.edits[edit]!;
    const host = await Host.instantiate(base);
    const reference = await instantiatePlain(edited);
    const before = [...scenario.setup, ...scenario.probe];
    expect(playCalls(host.exports, before, scenario)).toEqual(playCalls(await instantiatePlain(original), before, scenario));
    playCalls(reference, before, scenario);

    const id = await host.loadHP({ hp_bytes: patch!.binary });
    const patched = [...scenario.probe, ...calls];
    expect(playCalls(host.exports, patched, scenario)).toEqual(playCalls(reference, patched, scenario));

    await host.unloadHP(id);
    expect(host.getHPInfo().filter((p) => p.state !== "retained")).toEqual([]);
    const old = await instantiatePlain(original);
    playCalls(old, [...before, ...patched], scenario);
    const after = [...scenario.probe, ...(originalTraps ? [] : calls)].filter(([name]) => !COUNTERS.has(name));
    expect(playCalls(host.exports, after, scenario)).toEqual(playCalls(old, after, scenario));
  });

  if (runtime !== "incremental") return;

  test("the same patch from the project's parent folder and from a subfolder; a real mismatch of roots is one coded error", async () => {
    const files = await readEdit(program, "new-helper");
    const here = await buildDiff({ base, cwd: dir, files });
    const parent = dirname(dir);
    const inParent = Object.fromEntries(Object.entries(files).map(([f, text]) => [join(basename(dir), f), text]));
    const fromParent = await buildDiff({ base, cwd: parent, entries: [join(basename(dir), "entry.ts")], files: inParent });
    expect(fromParent.patch!.binary).toEqual(here.patch!.binary);
    const sub = join(dir, "assembly");
    const inSub = Object.fromEntries(Object.entries(files).map(([f, text]) => [join("..", f), text]));
    const fromSub = await buildDiff({ base, cwd: sub, files: inSub });
    expect(fromSub.patch!.binary).toEqual(here.patch!.binary);
    const err = await buildDiff({ base, cwd: parent, root: parent }).then(() => null, (e: { code: string; message: string }) => e);
    expect(err?.code).toBe("E_ROOT_MISMATCH");
    expect(err?.message).toContain(`this project root is ${parent}`);
  });

  if (program.name !== "regex") return;

  test("a one-function edit with one new literal is a patch of at most 2 KiB, most of its data the base's own", async () => {
    const { patch } = await buildDiff({ base, cwd: dir, files: await readEdit(program, "new-helper") });
    expect(patch!.binary.length).toBeLessThanOrEqual(2048);
    expect(patch!.meta.link!.data_size).toBeLessThan(256);
  });
});

/** A copy of the program with an asconfig.json naming its entry (the project root). */
async function copyWithRoot(program: CorpusProgram): Promise<string> {
  const dir = await materialise(program);
  await writeFile(join(dir, "asconfig.json"), JSON.stringify({ entries: ["entry.ts"] }));
  return dir;
}

