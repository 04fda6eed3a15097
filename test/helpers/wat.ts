// Test helper: WebAssembly text to binary (Binaryen's parser), and a patch-section stamp.

import binaryen from "binaryen";
import { appendCustomSection } from "../../compiler/common/custom-section.js";
import { encodePatchMeta, PATCH_SECTION, type PatchMeta } from "../../host/model/patch-meta.js";

/** Assembles `text` (a whole module) to a binary. */
export function wat(text: string): Uint8Array {
  const module = binaryen.parseText(text);
  try {
    module.setFeatures(binaryen.Features.All);
    if (!module.validate()) throw new Error(`invalid test module:\n${text}`);
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

/** Adds a hotwasm.patch section to `bytes`. */
export function stamp(bytes: Uint8Array, meta: Omit<PatchMeta, "hotwasm">): Uint8Array {
  return appendCustomSection(bytes, PATCH_SECTION, encodePatchMeta({ hotwasm: 1, ...meta }));
}

/** A patch module exporting `name` with the given body. */
export function fnPatch(name: string, sig: string, body: string, extra = ""): Uint8Array {
  return wat(`(module ${extra} (func (export "${name}") ${sig} ${body}))`);
}
