// `hotwasm build` (buildPatchable) follows asconfig.json as asc does: the "release" target unless
// another is named, that target's outFile and optimisation; and in a project whose asconfig.json
// lists the hotwasm transform itself, the transform runs once: the build is the one asc makes.

import { afterAll, beforeAll, expect, test } from "vitest";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildPatchable, manifestOf } from "../../../compiler/base/build.js";
import { runAsc } from "../../../compiler/common/run-asc.js";
import { root } from "../../helpers/example-app.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotwasm-asconfig-"));
  await mkdir(join(dir, "assembly"));
  await writeFile(join(dir, "assembly/index.ts"), "let n = 0;\nexport function step(): i32 { n += 1; return n; }\n");
  await writeFile(join(dir, "asconfig.json"), JSON.stringify({
    entries: ["assembly/index.ts"],
    targets: { debug: { outFile: "out/debug.wasm", debug: true }, release: { outFile: "out/release.wasm", optimizeLevel: 2, shrinkLevel: 1 } },
    options: { transform: [join(root, "dist/compiler/transform.js")] },
  }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test("the release target by default, another by name: its outFile and optimisation", async () => {
  const release = await buildPatchable({ cwd: dir });
  expect([release.target, release.outFile, release.manifest!.compiler.flags.optimizeLevel, release.manifest!.compiler.flags.shrinkLevel])
    .toEqual(["release", join(dir, "out/release.wasm"), 2, 1]);
  const debug = await buildPatchable({ cwd: dir, target: "debug" });
  expect([debug.target, debug.outFile, debug.manifest!.compiler.flags.optimizeLevel]).toEqual(["debug", join(dir, "out/debug.wasm"), 0]);
  await expect(buildPatchable({ cwd: dir, target: "nope" })).rejects.toMatchObject({ code: "E_INVALID_OPTION", message: 'asconfig.json has no target "nope" (it has debug, release)' });
});

test("the transform listed in asconfig.json and hotwasm build's own: it runs once, as with asc alone", async () => {
  const ours = await buildPatchable({ cwd: dir, outFile: false });
  const asc = await runAsc({ argv: [], cwd: dir });
  // Twice would rewrite the rewritten module and add a second manifest, which manifestOf refuses.
  expect(manifestOf(asc.binary)).toEqual(ours.manifest!);
  expect(asc.binary.length).toBe(ours.binary.length);
});

test("an extends chain as asc follows it: the extending file's options win, targets add up, outFile is relative to the file that sets it", async () => {
  const project = join(dir, "extends");
  await mkdir(join(project, "assembly"), { recursive: true });
  await mkdir(join(project, "shared"));
  await writeFile(join(project, "assembly/index.ts"), "let n = 0;\nexport function step(): i32 { n += 1; return n; }\n");
  await writeFile(join(project, "shared/base.json"), JSON.stringify({
    targets: { release: { outFile: "out/shared.wasm", optimizeLevel: 1, shrinkLevel: 2 }, small: { outFile: "out/small.wasm", optimizeLevel: 2, shrinkLevel: 2 } },
    options: { transform: [join(root, "dist/compiler/transform.js")] },
  }));
  await writeFile(join(project, "asconfig.json"), JSON.stringify({ extends: "./shared/base.json", entries: ["assembly/index.ts"], targets: { release: { optimizeLevel: 3 } } }));
  const release = await buildPatchable({ cwd: project });
  const { optimizeLevel, shrinkLevel } = release.manifest!.compiler.flags;
  expect([release.target, release.outFile, optimizeLevel, shrinkLevel]).toEqual(["release", join(project, "shared/out/shared.wasm"), 3, 2]);
  const small = await buildPatchable({ cwd: project, target: "small", outFile: false });
  expect([small.target, small.manifest!.compiler.flags.optimizeLevel]).toEqual(["small", 2]);
  // asc reads the same chain: its own build of the release target is the same module.
  expect((await runAsc({ argv: [], cwd: project })).binary.length).toBe(release.binary.length);

  await writeFile(join(project, "asconfig.json"), JSON.stringify({ extends: "./shared/missing.json" }));
  await expect(buildPatchable({ cwd: project })).rejects.toMatchObject({ code: "E_READ_FAILED", message: "cannot read shared/missing.json (extended by asconfig.json): no such file or directory" });
  await writeFile(join(project, "shared/base.json"), JSON.stringify({ extends: "../asconfig.json" }));
  await writeFile(join(project, "asconfig.json"), JSON.stringify({ extends: "./shared/base.json", entries: ["assembly/index.ts"] }));
  // A cycle ends where asc ends it: at the first file seen twice.
  expect((await buildPatchable({ cwd: project, outFile: false })).target).toBeNull();
});
