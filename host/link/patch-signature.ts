// The signature of a patch: a "hotwasm.sig" custom section, the module's last section, holding a
// signed statement in canonical JSON: the signer's key, the config the patch may be loaded with
// (its replace_config and ref_config, or "any" when the signer allows any), and the signature over
// that statement and every byte before the section. The format only; the crypto is in hotwasm/node.
// Format 1 (before the statement covered the config) is refused: such a patch must be signed again.

import { z } from "zod";
import { HotwasmError } from "../errors.js";
import { appendCustomSection, listSections } from "../wasm/wasm-sections.js";
import { canonicalMaps, type EffectiveConfig } from "../model/config.js";
import { zodSymbolMap } from "../model/symbol-map-schema.js";
import { copySymbolMap, type SymbolMap } from "../model/symbol-map.js";

/** Name of the custom section that carries a patch's signature. */
export const SIGNATURE_SECTION = "hotwasm.sig";
/** The statement format this host writes and reads. */
export const SIGNATURE_VERSION = 2;

/** The config a signature allows: exactly these maps, or any. */
export type SignedConfig = { replace_config: SymbolMap; ref_config: SymbolMap } | "any";

const signatureSchema = z.strictObject({
  v: z.literal(SIGNATURE_VERSION),
  alg: z.literal("ed25519"),
  key_id: z.string().regex(/^[0-9a-f]{16}$/),
  config: z.union([z.literal("any"), z.strictObject({ replace_config: zodSymbolMap("E_INVALID_MODULE"), ref_config: zodSymbolMap("E_INVALID_MODULE") })]),
  sig: z.string().regex(/^[A-Za-z0-9+/]{86}==$/),
});

/** A signature as the section holds it: the statement and the signature in base64. */
export interface PatchSignature {
  v: typeof SIGNATURE_VERSION;
  alg: "ed25519";
  key_id: string;
  config: SignedConfig;
  sig: string;
}

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
  let text: string;
  let json: unknown;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(payload);
    json = JSON.parse(text);
  } catch (cause) {
    throw new HotwasmError("E_BAD_PATCH_SIGNATURE", `the "${SIGNATURE_SECTION}" section is not valid JSON`, { cause });
  }
  if (typeof json === "object" && json !== null && !Object.prototype.hasOwnProperty.call(json, "v")) {
    throw new HotwasmError("E_BAD_PATCH_SIGNATURE", `the patch has a signature of format 1, which does not cover the config it is loaded with; sign it again with \`hotwasm sign\``);
  }
  const parsed = signatureSchema.safeParse(json);
  if (!parsed.success) throw new HotwasmError("E_BAD_PATCH_SIGNATURE", `the "${SIGNATURE_SECTION}" section is malformed`, { cause: parsed.error });
  const signature = parsed.data as PatchSignature;
  // One signed statement has one form: duplicate keys, other key orders, spaces or escapes would give other bytes (another patch id) for the same signature.
  if (canonicalJson(signature) !== text || canonicalBase64(signature.sig) !== signature.sig) {
    throw new HotwasmError("E_BAD_PATCH_SIGNATURE", `the "${SIGNATURE_SECTION}" section is not in canonical form (sorted keys, no spaces, no duplicate keys)`);
  }
  return { body: bytes.subarray(0, last.start), signature };
}

/** The bytes of a patch before its signature section, whatever that holds (re-signing replaces any). */
export function stripSignature(bytes: Uint8Array): Uint8Array {
  const sections = listSections(bytes);
  const last = sections[sections.length - 1];
  if (sections.filter((s) => s.name === SIGNATURE_SECTION).length > 1 || (last?.name !== SIGNATURE_SECTION && sections.some((s) => s.name === SIGNATURE_SECTION))) {
    throw new HotwasmError("E_BAD_PATCH_SIGNATURE", `the "${SIGNATURE_SECTION}" section must be the module's only and last section`);
  }
  return last?.name === SIGNATURE_SECTION ? bytes.subarray(0, last.start) : bytes;
}

/** The message a key signs: a context line, the statement (everything but `sig`) in canonical JSON, then the body. */
export function signatureMessage(body: Uint8Array, statement: Omit<PatchSignature, "sig">): Uint8Array {
  const { v, alg, key_id, config } = statement;
  const head = new TextEncoder().encode(`hotwasm patch signature v${SIGNATURE_VERSION}\n${canonicalJson({ v, alg, key_id, config })}\n`);
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** `body` (an unsigned patch) with `signature` attached as its last section, in canonical JSON. */
export function attachSignature(body: Uint8Array, signature: PatchSignature): Uint8Array {
  const checked = signatureSchema.parse(signature) as PatchSignature;
  return appendCustomSection(body, SIGNATURE_SECTION, new TextEncoder().encode(canonicalJson(checked)));
}

/** The config a signature allows, from the maps of an effective config (or "any"). */
export function signedConfigOf(config: Pick<EffectiveConfig, "replace_config" | "ref_config"> | "any"): SignedConfig {
  return config === "any" ? "any" : { replace_config: copySymbolMap(config.replace_config), ref_config: copySymbolMap(config.ref_config) };
}

/** Refuses (E_SIGNED_CONFIG_MISMATCH) a config other than the one a signature allows. */
export function checkSignedConfig(allowed: SignedConfig, config: EffectiveConfig): void {
  if (allowed === "any") return;
  const signed = canonicalMaps({ hp_file: "", ...allowed });
  const given = canonicalMaps(config);
  if (signed === given) return;
  const clip = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…` : text);
  throw new HotwasmError("E_SIGNED_CONFIG_MISMATCH", `the patch is signed for loading with ${clip(signed)}, not with ${clip(given)}; ` +
    "load it without replace_config and ref_config, or have it signed for this config (hotwasm sign --replace/--ref, or --any-config)");
}

/** What a verifier (HostOptions.verifyPatch) may return: the config the signature allows. */
export interface VerifiedPatch {
  config: SignedConfig;
}

/** JSON with object keys sorted (by UTF-16 code units) and no spaces: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
}

/** The one base64 text of the bytes `text` stands for (unused low bits zero). */
function canonicalBase64(text: string): string {
  const binary = atob(text);
  return btoa(binary);
}
