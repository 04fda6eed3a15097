// The signature of a patch: a "hotwasm.sig" custom section, the module's last section, signing
// every byte before it (after a context line). The format only; the crypto is in hotwasm/node.

import { z } from "zod";
import { HotwasmError } from "../errors.js";
import { appendCustomSection, listSections } from "../wasm/wasm-sections.js";

/** Name of the custom section that carries a patch's signature. */
export const SIGNATURE_SECTION = "hotwasm.sig";

const signatureSchema = z.strictObject({
  alg: z.literal("ed25519"),
  key_id: z.string().regex(/^[0-9a-f]{16}$/),
  sig: z.string().regex(/^[A-Za-z0-9+/]{86}==$/),
});

/** A signature as the section holds it (JSON): the algorithm, the signer's key id, the signature in base64. */
export type PatchSignature = z.infer<typeof signatureSchema>;

/** Splits a patch into the bytes its signature covers and the signature (null when unsigned). */
export function splitSignature(bytes: Uint8Array): { body: Uint8Array; signature: PatchSignature | null } {
  const sections = listSections(bytes);
  const found = sections.filter((s) => s.name === SIGNATURE_SECTION);
  if (found.length === 0) return { body: bytes, signature: null };
  const last = sections[sections.length - 1]!;
  if (found.length > 1 || found[0] !== last) {
    throw new HotwasmError("E_BAD_PATCH_SIGNATURE", `the "${SIGNATURE_SECTION}" section must be the module's only and last section`);
  }
  const payload = bytes.subarray(last.payload, last.end);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch (cause) {
    throw new HotwasmError("E_BAD_PATCH_SIGNATURE", `the "${SIGNATURE_SECTION}" section is not valid JSON`, { cause });
  }
  const parsed = signatureSchema.safeParse(json);
  if (!parsed.success) throw new HotwasmError("E_BAD_PATCH_SIGNATURE", `the "${SIGNATURE_SECTION}" section is malformed`, { cause: parsed.error });
  return { body: bytes.subarray(0, last.start), signature: parsed.data };
}

/** The message a key signs for a patch body: a context line, then the bytes. */
export function signatureMessage(body: Uint8Array): Uint8Array {
  const context = new TextEncoder().encode("hotwasm patch signature v1\n");
  const out = new Uint8Array(context.length + body.length);
  out.set(context, 0);
  out.set(body, context.length);
  return out;
}

/** `body` (an unsigned patch) with `signature` attached as its last section. */
export function attachSignature(body: Uint8Array, signature: PatchSignature): Uint8Array {
  const payload = new TextEncoder().encode(JSON.stringify(signatureSchema.parse(signature)));
  return appendCustomSection(body, SIGNATURE_SECTION, payload);
}
