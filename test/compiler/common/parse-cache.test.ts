// Each source is parsed once per process (compiler/common/parse-cache.ts): a tree parsed before is
// reused only for the same path and text, and what one compilation does to it does not reach the
// next: a patch that imports module-private names (which flags them exported while it compiles)
// leaves the app's next compilations as they were: a base build with the same exports, a diff with
// no edit finding no change.

import { expect, test } from "vitest";
import { buildPatch } from "../../../compiler/patch/build-patch.js";
import { buildDiff } from "../../../compiler/diff/build-diff.js";
import { buildApp } from "../../helpers/build.js";
import { buildPatchable } from "../../../compiler/base/build.js";
import { readModule } from "../../../host/wasm/wasm-reader.js";

const app = `
let count = 0;
function bump(by: i32): void { count += by; }
export function tick(): void { bump(1); }
export function getCount(): i32 { return count; }
`;

test("after a patch that imports private names, a diff of the same sources finds no change, and an edit is seen", async () => {
  const files = { "assembly/index.ts": app };
  const base = await buildApp(files);
  const fix = `import { count, bump } from "../assembly/index";\nexport function tick(): void { bump(2); count += 1; }\n`;
  await buildPatch({ patch: "patches/fix.ts", base, files: { ...files, "patches/fix.ts": fix } });
  const rebuilt = await buildPatchable({ entries: ["assembly/index.ts"], files, outFile: false, config: false, ascArgs: ["-O3"] });
  const exportsOf = (binary: Uint8Array) => readModule(binary).exports.map((e) => e.name).filter((n) => !n.startsWith("hotwasm:")).sort();
  expect(exportsOf(rebuilt.binary)).toEqual(exportsOf(base));
  expect(rebuilt.manifest!.buildId).toBe((await buildPatchable({ entries: ["assembly/index.ts"], files, outFile: false, config: false, ascArgs: ["-O3"] })).manifest!.buildId);
  const same = await buildDiff({ base, files });
  expect([same.report.changed, same.report.added, same.patch]).toEqual([[], [], null]);
  const edited = await buildDiff({ base, files: { "assembly/index.ts": app.replace("bump(1)", "bump(5)") } });
  expect(edited.report.changed).toEqual(["assembly/index/tick"]);
  const again = await buildDiff({ base, files });
  expect(again.report.changed).toEqual([]);
});
