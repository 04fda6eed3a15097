// What a patch's bytes are: the module read (imports, exports, sections), its embedded hotwasm
// metadata, its SHA-256 and the id of bytes + config. Small patches that come back (a reload, a
// load/unload churn) are recognised by comparing bytes, so they are neither re-read nor re-hashed.

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { HotwasmError } from "./errors.js";
import { readPatchMeta, type PatchMeta } from "./patch-meta.js";
import { readModule, WasmReadError, type ModuleInfo } from "./wasm-reader.js";

/** A patch's bytes read and hashed. `info` and `meta` are shared between loads: read-only. */
export interface PatchIdentity {
  sha256: string;
  info: ModuleInfo;
  meta: PatchMeta | null;
}

/** Patches up to this size are remembered (as the compiled module cache does). */
export const REMEMBERED_BYTES = 4096;
const REMEMBERED_LIMIT = 16;
const recent: { bytes: Uint8Array; identity: PatchIdentity }[] = [];
const ids = new Map<string, string>();
const IDS_LIMIT = 64;

/** Reads and hashes `bytes`; throws E_INVALID_MODULE when they are not a module. */
export function identifyPatch(bytes: Uint8Array): PatchIdentity {
  const known = bytes.length <= REMEMBERED_BYTES ? recent.find((r) => sameBytes(r.bytes, bytes)) : undefined;
  if (known) return known.identity;
  let info: ModuleInfo;
  try {
    info = readModule(bytes);
  } catch (err) {
    if (err instanceof WasmReadError) throw new HotwasmError("E_INVALID_MODULE", `not a valid WebAssembly module: ${err.message}`, { cause: err });
    throw err;
  }
  const identity = { sha256: bytesToHex(sha256(bytes)), info, meta: readPatchMeta(info) };
  if (bytes.length <= REMEMBERED_BYTES) {
    // A copy: the caller may reuse its buffer for other bytes.
    recent.unshift({ bytes: bytes.slice(), identity });
    if (recent.length > REMEMBERED_LIMIT) recent.pop();
  }
  return identity;
}

/** The id of a patch: SHA-256 of its bytes' digest and its canonical config. */
export function patchIdOf(digest: string, canonicalConfig: string): string {
  const key = `${digest}\n${canonicalConfig}`;
  let id = ids.get(key);
  if (id === undefined) {
    id = bytesToHex(sha256(new TextEncoder().encode(key)));
    if (ids.size >= IDS_LIMIT) ids.delete(ids.keys().next().value!);
    ids.set(key, id);
  }
  return id;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
