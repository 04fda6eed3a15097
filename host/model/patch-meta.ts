// What a patch module may say about itself in its "hotwasm.patch" custom section: the base
// build it was made for and its default replace/ref config.

import { z } from "zod";
import { HotwasmError } from "../errors.js";
import { customSection, type ModuleInfo } from "../wasm/wasm-reader.js";
import { zodSymbolMap } from "./symbol-map-schema.js";

/** Name of the custom section a patch carries. */
export const PATCH_SECTION = "hotwasm.patch";

const symbolMap = zodSymbolMap("E_INVALID_MODULE");

const patchMetaSchema = z.strictObject({
  hotwasm: z.literal(1),
  base_build_id: z.string().regex(/^[0-9a-f]{32}$/).optional(),
  replace_config: symbolMap.optional(),
  ref_config: symbolMap.optional(),
  source: z.string().max(4096).optional(),
  /** The compiler the patch was built with (checked against the base's). */
  compiler: z.strictObject({ version: z.string(), flags: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])) }).optional(),
  /** How to place a position-independent patch built by `hotwasm patch`. */
  link: z.strictObject({
    data_size: z.number().int().nonnegative().max(256 * 1024 * 1024),
    memory_relocs: z.array(z.number().int().nonnegative()),
    table_relocs: z.array(z.number().int().nonnegative()),
    table_size: z.number().int().nonnegative().max(1 << 20),
    rtti_offset: z.number().int().nonnegative().nullable(),
    classes: z.array(z.strictObject({ id: z.number().int().nonnegative(), name: z.string() })),
    base_classes: z.number().int().nonnegative(),
    /** Fields added to the base's classes, kept beside their objects ("file/Class.field"). */
    shadow_fields: z.array(z.string().max(1024)).max(4096).optional(),
  }).optional(),
});

/** The metadata of a patch. */
export type PatchMeta = z.infer<typeof patchMetaSchema>;

/** Encodes patch metadata for the custom section. */
export function encodePatchMeta(meta: PatchMeta): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(patchMetaSchema.parse(meta)));
}

/** Reads a patch's metadata; a patch without the section has none (hand-written, hotgo style). */
export function readPatchMeta(info: ModuleInfo): PatchMeta | null {
  const bytes = customSection(info, PATCH_SECTION);
  if (!bytes) return null;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new HotwasmError("E_INVALID_MODULE", `the patch's "${PATCH_SECTION}" section is not valid JSON`, { cause });
  }
  const parsed = patchMetaSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new HotwasmError("E_INVALID_MODULE", `the patch's "${PATCH_SECTION}" section is malformed (${first?.path.join(".")}: ${first?.message})`);
  }
  return parsed.data;
}
