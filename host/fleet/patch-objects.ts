// Patch bytes in the engine's object store, content-addressed: the name is the bytes' sha256
// (hex). A fetch checks the size bound before reading and the hash after.

import { createHash } from "node:crypto";
import { HotwasmError, PATCH_SECTION, describeError, splitSignature } from "../index.js";
import { engineCall, toFleetError, type FleetEngine } from "./engine.js";
import { SHA256 } from "./layout.js";

/** What a pushed patch is. */
export interface PatchFacts {
  sha256: string;
  size: number;
  /** The base build it was made for (its hotwasm.patch section), if it says. */
  build_id: string | null;
  /** The key that signed it, if signed. */
  key_id: string | null;
}

/** Reads a patch's facts; E_INVALID_MODULE when the bytes are not a WebAssembly module. */
export function readPatchFacts(bytes: Uint8Array): PatchFacts {
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (cause) {
    throw new HotwasmError("E_INVALID_MODULE", `the patch is not a valid WebAssembly module: ${describeError(cause)}`, { cause });
  }
  let buildId: string | null = null;
  const [section] = WebAssembly.Module.customSections(module, PATCH_SECTION);
  if (section) {
    try {
      const meta = JSON.parse(new TextDecoder().decode(section)) as { base_build_id?: unknown };
      if (typeof meta.base_build_id === "string") buildId = meta.base_build_id;
    } catch {
      // A malformed section is the host's to refuse at load (E_INVALID_MODULE); here it only names no build.
    }
  }
  const { signature } = splitSignature(bytes);
  return { sha256: sha256Hex(bytes), size: bytes.length, build_id: buildId, key_id: signature?.key_id ?? null };
}

/** Stores a patch under its sha256 unless it is there already; resolves to its facts and whether it was new. */
export async function pushPatch(engine: FleetEngine, bytes: Uint8Array): Promise<PatchFacts & { stored: boolean }> {
  const facts = readPatchFacts(bytes);
  if (await hasPatch(engine, facts.sha256)) return { ...facts, stored: false };
  const description = JSON.stringify({ build_id: facts.build_id, key_id: facts.key_id });
  await engineCall(`store patch ${facts.sha256}`, () => engine.patches.putBlob({ name: facts.sha256, description }, bytes));
  return { ...facts, stored: true };
}

/** True when the store holds a patch named `sha256`. */
export async function hasPatch(engine: FleetEngine, sha256: string): Promise<boolean> {
  return (await engineCall(`look up patch ${sha256}`, () => engine.patches.info(sha256))) !== null;
}

/** Fetches patch `sha256`: E_FLEET_PATCH_MISSING, E_PATCH_TOO_LARGE (checked before reading) or E_FLEET_DIGEST_MISMATCH. */
export async function fetchPatch(engine: FleetEngine, sha256: string, maxBytes: number): Promise<Uint8Array> {
  if (!SHA256.test(sha256)) throw new HotwasmError("E_FLEET_CORRUPT", `"${sha256}" is not a sha256`);
  const info = await engineCall(`look up patch ${sha256}`, () => engine.patches.info(sha256));
  if (!info) throw new HotwasmError("E_FLEET_PATCH_MISSING", `the fleet's patch store has no patch ${sha256}`);
  if (info.size > maxBytes) throw new HotwasmError("E_PATCH_TOO_LARGE", `patch ${sha256} is ${info.size} bytes, more than ${maxBytes}`);
  const bytes = await readObject(engine, sha256, FETCH_TIMEOUT_MS + Math.ceil(info.size / (1024 * 1024)) * 1000);
  const actual = sha256Hex(bytes);
  if (actual !== sha256) throw new HotwasmError("E_FLEET_DIGEST_MISMATCH", `the bytes stored as ${sha256} hash to ${actual}`);
  return bytes;
}

/** How long a fetch may take, plus a second per MiB: the store streams an object through a consumer that can stall when a node dies. */
const FETCH_TIMEOUT_MS = 10_000;

/** Reads an object whole, within `ms`; a stalled read is cancelled (E_FLEET_UNREACHABLE: the host tries again later). */
async function readObject(engine: FleetEngine, sha256: string, ms: number): Promise<Uint8Array> {
  const got = await engineCall(`fetch patch ${sha256}`, () => engine.patches.get(sha256));
  if (!got) throw new HotwasmError("E_FLEET_PATCH_MISSING", `the fleet's patch store has no patch ${sha256}`);
  const reader = got.data.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void reader.cancel().catch(() => undefined);
      reject(new HotwasmError("E_FLEET_UNREACHABLE", `fetching patch ${sha256} took more than ${ms} ms`));
    }, ms);
  });
  try {
    const chunks: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), stalled]);
      if (done) break;
      chunks.push(value);
    }
    return Buffer.concat(chunks);
  } catch (err) {
    if (/digests do not match/.test(describeError(err))) throw new HotwasmError("E_FLEET_DIGEST_MISMATCH", `patch ${sha256} came back damaged from the store (${describeError(err)})`, { cause: err });
    throw toFleetError(err, `fetch patch ${sha256}`);
  } finally {
    clearTimeout(timer);
  }
}

/** The sha256 of `bytes`, hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
