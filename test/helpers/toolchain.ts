// Test helper: the toolchain base program and patches built against it with `buildPatch`.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildPatch } from "../../compiler/patch/build-patch.js";
import { Host } from "../../host/core/host.js";
import { buildApp } from "./build.js";

/** The base program's source. */
export const appSource = readFileSync(fileURLToPath(new URL("../fixtures/toolchain-app.ts", import.meta.url)), "utf8");

/** Builds the base (optionally from another source or with options). */
export function buildBase(source = appSource, options: Parameters<typeof buildApp>[1] = {}): Promise<Uint8Array> {
  return buildApp({ "assembly/index.ts": source }, options);
}

const patches = new Map<string, Promise<Uint8Array>>();

/** Builds `source` as patches/NAME.ts against `base` (memoised); `extra` adds more source files. */
export function patchFor(base: Uint8Array, name: string, source: string, app = appSource, extra: Record<string, string> = {}): Promise<Uint8Array> {
  const key = JSON.stringify([name, source, app, base.length, extra]);
  let hit = patches.get(key);
  if (!hit) {
    hit = buildPatch({ patch: `patches/${name}.ts`, base, files: { "assembly/index.ts": app, [`patches/${name}.ts`]: source, ...extra } }).then((r) => r.binary);
    patches.set(key, hit);
  }
  return hit;
}

/** A host over `base` with string helpers. */
export async function hostOf(base: Uint8Array) {
  const host = await Host.instantiate(base);
  const x = host.exports;
  const str = (ptr: number): string => x.__getString(ptr);
  const arg = (s: string): number => x.__newString(s);
  return { host, x, str, arg, collect: () => x.__collect() };
}
