// Patch bytes in the engine's object store, content-addressed: the name is the bytes' sha256
// (hex). A fetch checks the size bound before reading and the hash after.

import { createHash } from "node:crypto";
import { HotwasmError, describeError } from "../errors.js";
import { PATCH_SECTION } from "../model/patch-meta.js";
import { splitSignature } from "../link/patch-signature.js";
import type { AdminTarget } from "../admin/admin-target.js";
import { engineCall, type FleetEngine } from "./engine.js";
import { LAYOUT, SHA256 } from "./layout.js";
import type { PatchItem } from "./records.js";

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
  if (!info || info.deleted) throw new HotwasmError("E_FLEET_PATCH_MISSING", `the fleet's patch store has no patch ${sha256}`);
  if (info.size > maxBytes) throw new HotwasmError("E_PATCH_TOO_LARGE", `patch ${sha256} is ${info.size} bytes, more than ${maxBytes}`);
  const bytes = await readObject(engine, info);
  // A read cut short (the store's stream leader changing under it) is the engine's trouble, tried again later; other bytes of the right size are a tampered object.
  if (bytes.length !== info.size) throw new HotwasmError("E_FLEET_UNREACHABLE", `the store gave ${bytes.length} of the ${info.size} bytes of patch ${sha256}`);
  const actual = sha256Hex(bytes);
  if (actual !== sha256) throw new HotwasmError("E_FLEET_DIGEST_MISMATCH", `the bytes stored as ${sha256} hash to ${actual}`);
  return bytes;
}

/** Which loaded patches are the fleet's: those a rollout named, or the patch store holds (looked up once per generation). */
export class ManagedPatches {
  private readonly known = new Set<string>();
  private readonly local = new Map<string, number>();

  /** Notes the patches a rollout names. */
  note(items: readonly PatchItem[]): void {
    for (const item of items) this.known.add(item.sha256);
  }

  /** True when `sha256` is known to be the fleet's, without asking the engine. */
  knows(sha256: string): boolean {
    return this.known.has(sha256);
  }

  /** True when `sha256` is the fleet's (asks the store about a patch not seen before, once per generation `gen`). */
  async has(engine: FleetEngine, sha256: string, gen: number): Promise<boolean> {
    if (this.known.has(sha256)) return true;
    if (this.local.get(sha256) === gen) return false;
    if (await hasPatch(engine, sha256)) {
      this.known.add(sha256);
      return true;
    }
    this.local.set(sha256, gen);
    return false;
  }

  /** The fleet's patches in force on `target`, in load order. */
  async inForce(engine: FleetEngine, target: AdminTarget, gen: number): Promise<string[]> {
    const out: string[] = [];
    for (const p of target.getHPInfo()) if (p.state === "loaded" && (await this.has(engine, p.sha256, gen))) out.push(p.sha256);
    return out;
  }
}

/** The sha256 of `bytes`, hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Reads an object's chunks one by one with message gets on the store's chunk subject (the object
 * store's layout: `$O.<bucket>.C.<nuid>`), each bounded by the request timeout. The client's own
 * get streams them through a consumer, which can stall for a minute when a node dies.
 */
async function readObject(engine: FleetEngine, info: { name: string; nuid: string; size: number }): Promise<Uint8Array> {
  const stream = `OBJ_${LAYOUT.patches}`;
  const subject = `$O.${LAYOUT.patches}.C.${info.nuid}`;
  const chunks: Uint8Array[] = [];
  let got = 0;
  let seq = 0;
  while (got < info.size) {
    // next_by_subj (server 2.9+) is not in the client's request type; the server answers it.
    const query = { next_by_subj: subject, seq: seq + 1 } as unknown as { seq: number };
    const msg = await engineCall(`fetch patch ${info.name}`, () => engine.jsm.streams.getMessage(stream, query));
    if (!msg || msg.data.length === 0) break;
    chunks.push(msg.data);
    got += msg.data.length;
    seq = msg.seq;
  }
  return Buffer.concat(chunks);
}
