// What a patch's bytes are: the module read (imports, exports, sections), its embedded hotwasm
// metadata, its SHA-256 and the id of bytes + config. Small patches that come back (a reload, a
// load/unload churn) are recognised by comparing bytes, so they are neither re-read nor re-hashed.

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { canonicalMaps, type EffectiveConfig, type SymbolMap } from "../model/config.js";
import { HotwasmError } from "../errors.js";
import { readPatchMeta, type PatchMeta } from "../model/patch-meta.js";
import { readModule, WasmReadError, type ModuleInfo } from "../wasm/wasm-reader.js";

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
const ids = new Map<string, { replace: SymbolMap; ref: SymbolMap; id: string }[]>();
const IDS_LIMIT = 64;
const CONFIGS_PER_DIGEST = 4;

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

/** The id of a patch: SHA-256 of its bytes' digest and its canonical config (`canonicalMaps`). */
export function patchIdOf(digest: string, config: EffectiveConfig): string {
  // The maps as given decide their canonical form, so equal maps find the memo without sorting.
  const known = ids.get(digest)?.find((e) => sameMap(e.replace, config.replace_config) && sameMap(e.ref, config.ref_config));
  if (known) return known.id;
  const id = bytesToHex(sha256(new TextEncoder().encode(`${digest}\n${canonicalMaps(config)}`)));
  let entries = ids.get(digest);
  if (!entries) {
    if (ids.size >= IDS_LIMIT) ids.delete(ids.keys().next().value!);
    ids.set(digest, (entries = []));
  }
  entries.unshift({ replace: { ...config.replace_config }, ref: { ...config.ref_config }, id });
  if (entries.length > CONFIGS_PER_DIGEST) entries.pop();
  return id;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when two maps have the same entries (order aside). */
function sameMap(a: SymbolMap, b: SymbolMap): boolean {
  let n = 0;
  for (const k in b) {
    if (a[k] !== b[k] || !Object.hasOwn(a, k)) return false;
    n++;
  }
  for (const _ in a) n--;
  return n === 0;
}
