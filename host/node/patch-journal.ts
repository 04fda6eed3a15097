// The state directory of `hotwasm serve --state-dir`: the loaded patches' bytes by SHA-256
// (patches/<sha256>.wasm) and the list of loaded patches in load order (journal.json). Every file is
// written atomically (a temporary file, fsync, rename, fsync of the directory), so a process killed
// at any point leaves either the old list or the new one, never a torn one.

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { HotwasmError, describeError } from "../errors.js";
import type { PatchStore, StoredPatch } from "../lifecycle/patch-store.js";

/** The points of a write where a test may pause the process (to kill it there). */
export type JournalStep = "bytes-saved" | "list-begin" | "list-written" | "list-renamed";

/** Options of a journal. */
export interface JournalOptions {
  /** Called at each step of a write and awaited (tests pause the process here). */
  onStep?: (step: JournalStep) => void | Promise<void>;
}

const JOURNAL = "journal.json";
const entrySchema = z.strictObject({
  hp_id: z.string().regex(/^[0-9a-f]{64}$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  config: z.strictObject({ hp_file: z.string(), replace_config: z.record(z.string(), z.string()), ref_config: z.record(z.string(), z.string()) }),
  policy: z.strictObject({ max_traps: z.number().int().min(0), window_ms: z.number().int().min(1) }).optional(),
});
const journalSchema = z.strictObject({ hotwasm_state: z.literal(1), patches: z.array(entrySchema) });

/** A state directory: what it held when opened, and a PatchStore writing to it. */
export class PatchJournal implements PatchStore {
  private seq = 0;

  private constructor(
    /** The directory. */
    readonly dir: string,
    /** The patches it listed when opened, in load order. */
    readonly entries: StoredPatch[],
    /** Why the list could not be read (it was moved aside), if so. */
    readonly problem: string | null,
    private readonly options: JournalOptions,
  ) {}

  /** Opens (creating) `dir`; an unreadable list is moved aside and reported, never fatal. */
  static async open(dir: string, options: JournalOptions = {}): Promise<PatchJournal> {
    try {
      await mkdir(join(dir, "patches"), { recursive: true, mode: 0o700 });
      for (const sub of [dir, join(dir, "patches")]) {
        for (const name of await readdir(sub)) if (name.includes(".tmp-")) await rm(join(sub, name), { force: true });
      }
    } catch (cause) {
      throw new HotwasmError("E_ADMIN_CONFIG", `the state directory ${dir} is unusable: ${describeError(cause)}`, { cause });
    }
    let text: string | null = null;
    try {
      text = await readFile(join(dir, JOURNAL), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new HotwasmError("E_ADMIN_CONFIG", `cannot read ${join(dir, JOURNAL)}: ${describeError(err)}`, { cause: err });
    }
    if (text === null) return new PatchJournal(dir, [], null, options);
    const parsed = parseJournal(text);
    if (parsed.ok) return new PatchJournal(dir, parsed.patches, null, options);
    const aside = `${JOURNAL}.corrupt-${Date.now()}`;
    await rename(join(dir, JOURNAL), join(dir, aside));
    return new PatchJournal(dir, [], `${JOURNAL} is unreadable (${parsed.reason}); it was moved to ${aside} and no patch was re-applied`, options);
  }

  /** The stored bytes of a patch, checked against their hash (E_STATE_CORRUPT otherwise). */
  async readBytes(hash: string): Promise<Uint8Array> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(this.bytesPath(hash)));
    } catch (cause) {
      throw new HotwasmError("E_STATE_CORRUPT", `the stored patch ${hash}.wasm cannot be read: ${describeError(cause)}`, { cause });
    }
    if (bytesToHex(sha256(bytes)) !== hash) throw new HotwasmError("E_STATE_CORRUPT", `the stored patch ${hash}.wasm does not match its hash`);
    return bytes;
  }

  async saveBytes(hash: string, bytes: Uint8Array): Promise<void> {
    const existing = await this.readBytes(hash).catch(() => null);
    if (!existing) await this.writeAtomic(this.bytesPath(hash), bytes, false);
    await this.options.onStep?.("bytes-saved");
  }

  async saveList(patches: StoredPatch[]): Promise<void> {
    await this.options.onStep?.("list-begin");
    const text = `${JSON.stringify({ hotwasm_state: 1, patches }, null, 2)}\n`;
    await this.writeAtomic(join(this.dir, JOURNAL), new TextEncoder().encode(text), true);
    await this.options.onStep?.("list-renamed");
    // Bytes no recorded patch needs (refused or unloaded ones) go once the list no longer names them.
    const keep = new Set(patches.map((p) => `${p.sha256}.wasm`));
    for (const name of await readdir(join(this.dir, "patches"))) if (!keep.has(name)) await rm(join(this.dir, "patches", name), { force: true });
  }

  private bytesPath(hash: string): string {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new HotwasmError("E_STATE_CORRUPT", `"${hash}" is not a SHA-256`);
    return join(this.dir, "patches", `${hash}.wasm`);
  }

  private async writeAtomic(path: string, data: Uint8Array, isList: boolean): Promise<void> {
    const tmp = `${path}.tmp-${process.pid}-${++this.seq}`;
    const file = await open(tmp, "w", 0o600);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    if (isList) await this.options.onStep?.("list-written");
    await rename(tmp, path);
    const dir = await open(join(path, ".."), "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}

function parseJournal(text: string): { ok: true; patches: StoredPatch[] } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${describeError(err)}` };
  }
  const parsed = journalSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}` };
  }
  return { ok: true, patches: parsed.data.patches };
}
