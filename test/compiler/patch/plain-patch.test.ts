// Plain (hotgo-style) patches built by buildPlainPatch are placed at load time: two different
// plain patches with literals of their own are in force together, each with its own arena range,
// and unload in any order; a literal the base already holds is the base's own; a patch the base
// would refuse at load (a ref to a symbol it does not have) is refused when it is built.

import { beforeAll, expect, test } from "vitest";
import { buildPlainPatch } from "../../../compiler/patch/build-plain-patch.js";
import { Host } from "../../../host/core/host.js";
import { consoleImports } from "../../../host/core/console-imports.js";
import { readPatchMeta } from "../../../host/model/patch-meta.js";
import { readModule } from "../../../host/wasm/wasm-reader.js";
import { exampleBinaries } from "../../helpers/example-app.js";

const header = `@external("ref", "Global") declare let Global: i32;\n@external("env", "print") declare function print(message: string): void;\n`;
const plain = (base: Uint8Array, name: string, body: string) =>
  buildPlainPatch({ entry: `patches/${name}.ts`, base, files: { [`patches/${name}.ts`]: header + body }, replace_config: { NewFunc1: "main.func1" }, ref_config: { Global: "main.globalValue" } });

let base: Uint8Array;
beforeAll(async () => { base = (await exampleBinaries()).app; });

test("two plain patches with literals of their own are in force together and unload in any order", async () => {
  const one = await plain(base, "one", `export function NewFunc1(): void { print("patch one says hello"); Global += 1; }`);
  const two = await plain(base, "two", `export function NewFunc1(): void { print("patch two, another literal"); Global += 2; }`);
  const lines: string[] = [];
  let host: Host | undefined;
  host = await Host.instantiate(base, consoleImports(() => host, (l) => lines.push(l)));
  const a = await host.loadHP({ hp_bytes: one });
  const b = await host.loadHP({ hp_bytes: two });
  const [ra, rb] = [a, b].map((id) => host!.getHPInfo().find((p) => p.hp_id === id)!.data![0]!);
  expect(ra!.end <= rb!.start || rb!.end <= ra!.start).toBe(true);
  host.exports.func1();
  await host.unloadHP(b);
  host.exports.func1();
  await host.unloadHP(a);
  host.exports.func1();
  expect(lines).toEqual(["patch two, another literal", "patch one says hello", "func1: 103"]);
});

test("a literal the base holds is the base's own: no static data of the patch's", async () => {
  const p = await plain(base, "same", `export function NewFunc1(): void { print("func1: "); Global += 3; }`);
  expect(readPatchMeta(readModule(p))!.link!.data_size).toBe(0);
});

test("a ref to a symbol the base does not have is refused when the patch is built, with the load's code", async () => {
  const source = `@external("ref", "Nope") declare let Nope: i32;\nexport function NewFunc1(): void { Nope += 1; }`;
  const err = await buildPlainPatch({ entry: "patches/nope.ts", base, files: { "patches/nope.ts": source }, replace_config: { NewFunc1: "main.func1" } })
    .then(() => null, (e: { code: string }) => e);
  expect(err?.code).toBe("E_UNKNOWN_SYMBOL");
});
