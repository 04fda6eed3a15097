// Test helper: builds AssemblyScript sources held in memory, patchable or plain, with a cache.

import { instantiate } from "@assemblyscript/loader";
import { buildPatchable, type BuildOptions } from "../../compiler/base/build.js";

const cache = new Map<string, Promise<Uint8Array>>();

/** Builds `files` (path → source) with entry `entry`; memoised per arguments. */
export function buildApp(files: Record<string, string>, options: Omit<BuildOptions, "files" | "outFile"> & { entry?: string } = {}): Promise<Uint8Array> {
  const entry = options.entry ?? Object.keys(files)[0]!;
  const key = JSON.stringify({ files, options });
  let hit = cache.get(key);
  if (!hit) {
    hit = buildPatchable({ ...options, entries: [entry], files, outFile: false, config: false, ascArgs: options.ascArgs ?? ["-O3"] }).then((r) => r.binary);
    cache.set(key, hit);
  }
  return hit;
}

/** A plain (untransformed) build of `source` as `entry`, instantiated with the loader: its exports. */
export async function instantiatePlainApp(source: string, entry = "assembly/index.ts"): Promise<Record<string, any>> {
  const bytes = await buildApp({ [entry]: source }, { plain: true });
  return (await instantiate(bytes as BufferSource, {})).exports as Record<string, any>;
}
