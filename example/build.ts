// `npm run build`: builds the example app to build/app.wasm and the hotgo example patch to build/hp.wasm.

import { mkdir, writeFile } from "node:fs/promises";
import { buildPatchable } from "../compiler/base/build.js";
import { buildPlainPatch } from "../compiler/patch/build-plain-patch.js";
import { buildPatch } from "../compiler/patch/build-patch.js";
import { isMain } from "./is-main.js";

/** The seed's config for the example patch, embedded as its default. */
export const EXAMPLE_CONFIG = {
  replace_config: { NewFunc1: "main.func1" },
  ref_config: { Global: "main.globalValue", Func2Ref: "main.func2" },
};

/** Builds the app, the hotgo-style patch and the allocating patch under `cwd`. */
export async function buildExample(cwd = process.cwd()): Promise<{ app: string; patch: string; status: string }> {
  const app = await buildPatchable({ cwd, outFile: "build/app.wasm" });
  const patch = await buildPlainPatch({ entry: "patches/hp.ts", base: app.binary, cwd, ...EXAMPLE_CONFIG });
  await mkdir(`${cwd}/build`, { recursive: true });
  await writeFile(`${cwd}/build/hp.wasm`, patch);
  await buildPatch({ patch: "patches/status.ts", base: app.binary, cwd, outFile: "build/status.wasm" });
  return { app: "build/app.wasm", patch: "build/hp.wasm", status: "build/status.wasm" };
}

if (isMain(import.meta.url)) {
  const out = await buildExample();
  console.log(`built ${out.app}, ${out.patch} and ${out.status}`);
}
