// The browser bundle: the host core bundles for browsers with nothing from Node in it; anything
// that would pull in a Node module fails the build with E_BUNDLE_NODE_IMPORT, naming the import.

import { afterAll, beforeAll, expect, test } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleForBrowser } from "../../dev/bundle-browser.js";
import { exampleBinaries, root } from "../helpers/example-app.js";

let dir = "";
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), "hotwasm-bundle-")); });
afterAll(() => rm(dir, { recursive: true, force: true }));

test("the host core (host/index.ts) bundles, minified, for browsers with nothing from Node; the bundle runs a base and a patch", async () => {
  const bundle = await bundleForBrowser({ entry: join(root, "host/index.ts"), outFile: join(dir, "hotwasm.js"), minify: true });
  expect(bundle.inputs.some((i) => i.endsWith("host/core/host.ts"))).toBe(true);
  expect(bundle.inputs.filter((i) => /host\/node\//.test(i))).toEqual([]);
  expect(bundle.code).not.toMatch(/(?:from|import|require)\s*\(?\s*["']node:/);
  const runtime = (await import(join(dir, "hotwasm.js"))) as typeof import("../../host/index.js");
  const { app, patch } = await exampleBinaries();
  const out: string[] = [];
  let host: import("../../host/index.js").Host | undefined;
  host = await runtime.Host.instantiate(app, runtime.consoleImports(() => host, (line) => out.push(line)));
  host.exports.func1();
  const id = await host.loadHP({ hp_bytes: patch });
  host.exports.func1();
  await host.unloadHP(id);
  host.exports.func1();
  expect(out.filter((l) => !l.startsWith("HP"))).toEqual(["func1: 100", "New Func: 100", "func2: 115", "func1: 115"]);
});

test.each([
  ["node:fs", `import { readFileSync } from "node:fs"; export const f = readFileSync;`],
  ["path", `import { join } from "path"; export const j = join;`],
  ["fs/promises", `export const load = () => import("fs/promises");`],
])("an import of %s is refused with the importer named", async (name, source) => {
  const helper = join(dir, `helper-${name.replace(/\W/g, "_")}.ts`);
  await writeFile(helper, source);
  const entry = join(dir, `entry-${name.replace(/\W/g, "_")}.ts`);
  await writeFile(entry, `export * from "./${helper.split("/").pop()!.replace(/\.ts$/, ".js")}";\n`);
  const err = await bundleForBrowser({ entry }).then(() => null, (e: { code: string; message: string }) => e);
  expect(err?.code).toBe("E_BUNDLE_NODE_IMPORT");
  expect(err?.message).toContain(`${name} (imported by ${helper}`);
});
