// Test helper: the example app (build/app.wasm) and its patch (build/hp.wasm), built once if missing.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildExample } from "../../example/build.js";

/** The repository's root. */
export const root = fileURLToPath(new URL("../..", import.meta.url));

/** Builds build/app.wasm and build/hp.wasm unless they exist; returns their bytes. */
export async function exampleBinaries(): Promise<{ app: Uint8Array; patch: Uint8Array; appPath: string; patchPath: string }> {
  const appPath = join(root, "build/app.wasm");
  const patchPath = join(root, "build/hp.wasm");
  if (!existsSync(appPath) || !existsSync(patchPath)) await buildExample(root);
  return { app: new Uint8Array(readFileSync(appPath)), patch: new Uint8Array(readFileSync(patchPath)), appPath, patchPath };
}
