// The facts a patch is checked against, from a base's binary alone: what a freshly started host
// of that base would have (no patch in force, the placement a first load would get). A patch
// build uses them to refuse, before writing it, a patch the base would refuse at load.

import { HotwasmError } from "../errors.js";
import { decodeManifest, LIBRARY_SECTION, MANIFEST_SECTION, withLibrary, type Manifest } from "../model/manifest.js";
import { SymbolTable } from "../model/symbols.js";
import { effectiveConfig } from "../model/config.js";
import { readPatchMeta } from "../model/patch-meta.js";
import { customSection, readModule, type ModuleInfo } from "../wasm/wasm-reader.js";
import { arenaFull, checkPatch } from "./check-patch.js";
import type { BaseFacts } from "./fit-types.js";

/** A base binary, read once for any number of checks. */
export interface BaseBinary {
  info: ModuleInfo;
  manifest: Manifest;
}

/** Reads a base binary; throws E_NOT_PATCHABLE_BUILD when it has no manifest. */
export function readBaseBinary(binary: Uint8Array): BaseBinary {
  const info = readModule(binary);
  const bytes = customSection(info, MANIFEST_SECTION);
  if (!bytes) throw new HotwasmError("E_NOT_PATCHABLE_BUILD", `the base has no "${MANIFEST_SECTION}" section; build it with hotwasm build`);
  return { info, manifest: withLibrary(decodeManifest(bytes), customSection(info, LIBRARY_SECTION)) };
}

/** Checks `patch` as a first load into a fresh host of `base` would; throws the load's own error. */
export function checkFirstLoad(base: BaseBinary, patch: Uint8Array): void {
  const info = readModule(patch);
  const meta = readPatchMeta(info);
  const { manifest } = base;
  if (meta?.link && meta.link.data_size > manifest.arena.size) throw arenaFull(manifest, meta.link.data_size, 0);
  const imports = new Map(base.info.imports.map((i) => [`${i.module}\u0000${i.name}`, i.kind === "function" ? "function" as const : "value" as const]));
  // The host gives a base with safepoints its poll when the embedder does not.
  if (manifest.safepoints) imports.set(`${manifest.safepoints.import.module}\u0000${manifest.safepoints.import.name}`, "function");
  const facts: BaseFacts = {
    manifest,
    symbols: new SymbolTable(manifest),
    // An import the base does not declare may still come from its embedder's import object.
    baseImport: (module, name) => imports.get(`${module}\u0000${name}`) ?? "unknown",
    arenaOwner: () => undefined,
    classConflict: () => null,
    placement: meta?.link ? { memoryBase: manifest.arena.start, tableBase: manifest.table.size } : null,
  };
  checkPatch(facts, info, meta, effectiveConfig({}, meta));
}
