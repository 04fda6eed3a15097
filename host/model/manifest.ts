// The manifest a patchable base build carries in its "hotwasm.manifest" custom section: what
// the host needs to know to patch it (symbols, slots, signatures, globals, arena, build id).

import { z } from "zod";
import { HotwasmError } from "../errors.js";

/** Name of the custom section holding the manifest. */
export const MANIFEST_SECTION = "hotwasm.manifest";
/** Manifest format version this host reads. */
export const MANIFEST_VERSION = 1;
/** Name of the custom section listing the library functions the base exports after optimisation. */
export const LIBRARY_SECTION = "hotwasm.library";

const valType = z.string().min(1).max(64);

const functionSchema = z.strictObject({
  name: z.string().min(1),
  params: z.array(valType),
  results: z.array(valType),
  /** Table slot of a patchable function; null when the function is not patchable. */
  slot: z.number().int().nonnegative().nullable(),
  /** Export of the dispatcher (patchable functions), or of the function itself (library functions, withLibrary). */
  export: z.string().nullable(),
  /** Export of the "patched" flag global (patchable functions only). */
  flag: z.string().nullable(),
  /** Why the function is not patchable, when it is not. */
  reason: z.string().optional(),
  /** The AssemblyScript signature, for people. */
  signature: z.string().optional(),
});

const globalSchema = z.strictObject({
  name: z.string().min(1),
  type: valType,
  mutable: z.boolean(),
  export: z.string(),
  /** The global's AssemblyScript type (`i32`, `usize`, a class), when the compiler knew it. */
  asType: z.string().optional(),
});

const safepointsSchema = z.strictObject({
  mode: z.enum(["entries", "loops", "both"]),
  interval: z.number().int().positive(),
  import: z.strictObject({ module: z.string(), name: z.string() }),
  countdown: z.string(),
  sites: z.strictObject({ entries: z.number().int().nonnegative(), loops: z.number().int().nonnegative() }),
});

const manifestSchema = z.strictObject({
  hotwasm: z.literal(MANIFEST_VERSION),
  buildId: z.string().regex(/^[0-9a-f]{32}$/),
  compiler: z.strictObject({
    name: z.string(),
    version: z.string(),
    flags: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  }),
  entries: z.array(z.string()),
  table: z.strictObject({ export: z.string(), firstSlot: z.number().int().nonnegative(), size: z.number().int().nonnegative() }),
  memory: z.strictObject({ export: z.string() }),
  arena: z.strictObject({ start: z.number().int().nonnegative(), size: z.number().int().nonnegative() }),
  functions: z.array(functionSchema),
  globals: z.array(globalSchema),
  runtime: z.record(z.string(), z.string()),
  /** Managed classes by runtime id, with their layouts. */
  classes: z.array(z.strictObject({ id: z.number().int().nonnegative(), name: z.string(), layout: z.string() })),
  /** Binaryen feature flags of the build. */
  features: z.number().int().nonnegative(),
  /** Safepoint polls of the build (`--safepoints`); absent when it has none. */
  safepoints: safepointsSchema.optional(),
  /** The project root the build's source paths (entries, symbols, embedded sources) are relative to. */
  project: z.strictObject({ root: z.string().max(4096), marker: z.string().max(64) }).optional(),
});

/** One function of the base, patchable or not. */
export type ManifestFunction = z.infer<typeof functionSchema>;
/** One global of the base. */
export type ManifestGlobal = z.infer<typeof globalSchema>;
/** The whole manifest. */
export type Manifest = z.infer<typeof manifestSchema>;

/** Encodes a manifest for the custom section. */
export function encodeManifest(manifest: Manifest): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(manifest));
}

/** Decodes and validates manifest bytes; throws E_NOT_PATCHABLE_BUILD when they are not one. */
export function decodeManifest(bytes: Uint8Array): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new HotwasmError("E_NOT_PATCHABLE_BUILD", "the hotwasm manifest is not valid JSON", { cause });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? `${first.path.join(".") || "(root)"}: ${first.message}` : "invalid";
    throw new HotwasmError("E_NOT_PATCHABLE_BUILD", `the hotwasm manifest is malformed (${where})`, { cause: parsed.error });
  }
  return parsed.data;
}

const librarySchema = z.strictObject({ functions: z.record(z.string().min(1), z.string().min(1).max(256)) });

/**
 * The manifest with the base's library exports ("hotwasm.library" section: standard-library
 * functions the base exports after optimisation, with their manifest type) filled in, so that a
 * patch can call the base's copy instead of bringing its own.
 */
export function withLibrary(manifest: Manifest, bytes: Uint8Array | null): Manifest {
  if (!bytes) return manifest;
  let parsed: z.infer<typeof librarySchema>;
  try {
    parsed = librarySchema.parse(JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)));
  } catch (cause) {
    throw new HotwasmError("E_NOT_PATCHABLE_BUILD", `the "${LIBRARY_SECTION}" section is malformed`, { cause });
  }
  const exports = new Map(Object.entries(parsed.functions));
  return { ...manifest, functions: manifest.functions.map((f) => (f.slot === null && exports.has(f.name) ? { ...f, export: exports.get(f.name)! } : f)) };
}

/** Reads the manifest of a compiled module; throws E_NOT_PATCHABLE_BUILD when it has none. */
export function readManifest(module: WebAssembly.Module): Manifest {
  const sections = WebAssembly.Module.customSections(module, MANIFEST_SECTION);
  if (sections.length === 0) {
    throw new HotwasmError(
      "E_NOT_PATCHABLE_BUILD",
      `the module has no "${MANIFEST_SECTION}" section; build it with \`hotwasm build\` or asc --transform hotwasm/transform`,
    );
  }
  if (sections.length > 1) throw new HotwasmError("E_NOT_PATCHABLE_BUILD", "the module has more than one hotwasm manifest");
  const library = WebAssembly.Module.customSections(module, LIBRARY_SECTION);
  return withLibrary(decodeManifest(new Uint8Array(sections[0]!)), library.length === 1 ? new Uint8Array(library[0]!) : null);
}
