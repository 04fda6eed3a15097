// Ed25519 signing of patches with node:crypto: key pairs, signing, trusted keys, and the verifier
// a Host runs on every patch before it reads or compiles it (HostOptions.verifyPatch).

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { HotwasmError, describeError } from "../errors.js";
import {
  attachSignature, signatureMessage, signedConfigOf, SIGNATURE_VERSION, splitSignature, stripSignature, type SignedConfig, type VerifiedPatch,
} from "../link/patch-signature.js";
import { describeFsError, readRegularFile } from "./regular-file.js";

/** Largest trusted-key file read, in bytes. */
const MAX_KEY_FILE_BYTES = 1024 * 1024;

/** A public key a server trusts, with its id (the first 16 hex digits of SHA-256 of the raw key). */
export interface TrustedKey {
  keyId: string;
  key: KeyObject;
  source: string;
}

/** A new Ed25519 key pair as PEM text (PKCS#8 private key, SPKI public key) and its key id. */
export function generateSigningKeys(): { privateKeyPem: string; publicKeyPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

/** The id of an Ed25519 public key. */
export function keyIdOf(publicKey: KeyObject): string {
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x ?? "", "base64url");
  return createHash("sha256").update(raw).digest("hex").slice(0, 16);
}

/** Signs a patch with a PEM private key for loading with `config` (the maps it may be loaded with,
 * or "any"); a signature it already carries is replaced. */
export function signPatch(bytes: Uint8Array, privateKeyPem: string, config: SignedConfig): Uint8Array {
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (cause) {
    throw new HotwasmError("E_ADMIN_CONFIG", `the signing key is not a PEM private key: ${describeError(cause)}`, { cause });
  }
  if (key.asymmetricKeyType !== "ed25519") throw new HotwasmError("E_ADMIN_CONFIG", `the signing key is ${key.asymmetricKeyType}, not ed25519`);
  const body = stripSignature(bytes);
  const statement = { v: SIGNATURE_VERSION as typeof SIGNATURE_VERSION, alg: "ed25519" as const, key_id: keyIdOf(createPublicKey(key)), config: signedConfigOf(config) };
  const sig = sign(null, signatureMessage(body, statement), key).toString("base64");
  return attachSignature(body, { ...statement, sig });
}

/** Reads trusted public keys from a PEM file (one or more keys) or a directory of *.pub / *.pem files. */
export async function readTrustedKeys(path: string): Promise<TrustedKey[]> {
  let files: string[];
  try {
    files = (await stat(path)).isDirectory()
      ? (await readdir(path)).filter((f) => f.endsWith(".pub") || f.endsWith(".pem")).sort().map((f) => join(path, f))
      : [path];
  } catch (cause) {
    throw new HotwasmError("E_ADMIN_CONFIG", `cannot read trusted keys at ${path}: ${describeFsError(cause)}`, { cause });
  }
  const keys: TrustedKey[] = [];
  for (const file of files) {
    // A key may be a symlink (mounted secrets are), but only to a regular file, read with a bound.
    const text = new TextDecoder().decode(await readRegularFile(file, { maxBytes: MAX_KEY_FILE_BYTES, code: "E_ADMIN_CONFIG", shown: file, follow: true }));
    for (const pem of text.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? []) {
      let key: KeyObject;
      try {
        key = createPublicKey(pem);
      } catch (cause) {
        throw new HotwasmError("E_ADMIN_CONFIG", `${file} holds an unreadable public key: ${describeError(cause)}`, { cause });
      }
      if (key.asymmetricKeyType !== "ed25519") throw new HotwasmError("E_ADMIN_CONFIG", `${file} holds a ${key.asymmetricKeyType} key; only ed25519 keys are trusted`);
      keys.push({ keyId: keyIdOf(key), key, source: file });
    }
  }
  if (keys.length === 0) throw new HotwasmError("E_ADMIN_CONFIG", `no ed25519 public key (PEM "PUBLIC KEY") found at ${path}`);
  return keys;
}

/** A verifier for HostOptions.verifyPatch: refuses unsigned patches and any signature no trusted key
 * made; returns the config the signature allows (the host refuses any other with E_SIGNED_CONFIG_MISMATCH). */
export function createPatchVerifier(keys: readonly TrustedKey[]): (bytes: Uint8Array) => VerifiedPatch {
  const byId = new Map(keys.map((k) => [k.keyId, k]));
  return (bytes) => {
    const { body, signature } = splitSignature(bytes);
    if (!signature) throw new HotwasmError("E_PATCH_UNSIGNED", "the server only loads signed patches; sign it with `hotwasm sign`");
    const trusted = byId.get(signature.key_id);
    if (!trusted) throw new HotwasmError("E_BAD_PATCH_SIGNATURE", `the patch is signed by key ${signature.key_id}, which the server does not trust`);
    if (!verify(null, signatureMessage(body, signature), trusted.key, Buffer.from(signature.sig, "base64"))) {
      throw new HotwasmError("E_BAD_PATCH_SIGNATURE", `the signature by key ${signature.key_id} does not match the patch's bytes and signed config`);
    }
    return { config: signature.config };
  };
}
