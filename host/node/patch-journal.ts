// The state directory of `hotwasm serve --state-dir`: the loaded patches' bytes by SHA-256
// (patches/<sha256>.wasm) and the list of loaded patches in load order (journal.json), in a
// directory hotwasm made or adopted (state-dir.ts). Every file is written atomically (a temporary
// file, fsync, rename, fsync of the directory), so a process killed at any point leaves either the
// old list or the new one. Nothing recoverable is deleted: an unreadable list is moved aside with
// every stored file, and a list some of whose patches were not re-applied is kept aside with theirs.

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { lstat, open, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { HotwasmError } from "../errors.js";
import type { PatchStore, StoredPatch } from "../lifecycle/patch-store.js";
import { parseJournal, type UnreadableEntry } from "./journal-entries.js";
import { describeFsError, readRegularFile } from "./regular-file.js";
import { BYTES_NAME, JOURNAL, moveJournalAside, PATCHES, prepareStateDir, setAside } from "./state-dir.js";

/** The points of a write where a test may pause the process (to kill it there). */
export type JournalStep = "bytes-saved" | "list-begin" | "list-written" | "list-renamed";

/** Options of a journal. */
export interface JournalOptions {
  /** Called at each step of a write and awaited (tests pause the process here). */
  onStep?: (step: JournalStep) => void | Promise<void>;
  /** Largest stored patch read back, in bytes (default 64 MiB). */
  maxPatchBytes?: number;
}

/** Largest journal.json read, in bytes. */
const MAX_JOURNAL_BYTES = 64 * 1024 * 1024;

/** A state directory: what it held when opened, and a PatchStore writing to it. */
export class PatchJournal implements PatchStore {
  private seq = 0;

  private constructor(
    /** The directory. */
    readonly dir: string,
    /** The patches it listed when opened, in load order (entries it could not read are in `unreadable`). */
    readonly entries: StoredPatch[],
    /** Entries of the list that could not be read, by position, with why. */
    readonly unreadable: UnreadableEntry[],
    /** What opening found for the operator: an unreadable list moved aside, an adopted or read-only directory. */
    readonly problems: string[],
    /** The list as read, to keep aside if a patch it names is not re-applied. */
    private readonly text: Uint8Array | null,
    /** Why the directory cannot be written, or null. */
    readonly readOnly: string | null,
    private readonly options: JournalOptions,
  ) {}

  /** The first problem found at opening, or null (kept for callers of the single-problem form). */
  get problem(): string | null {
    return this.problems[0] ?? null;
  }

  /** Opens (creating) `dir`. A directory holding anything hotwasm did not create is refused (E_STATE_DIR_FOREIGN);
   * an unreadable list is moved aside with every stored file and reported, never fatal. */
  static async open(dir: string, options: JournalOptions = {}): Promise<PatchJournal> {
    const { notes, readOnly } = await prepareStateDir(dir);
    const problems = [...notes];
    let text: Uint8Array | null = null;
    let unreadableList: string | null = null;
    try {
      text = await readRegularFile(join(dir, JOURNAL), { maxBytes: MAX_JOURNAL_BYTES, code: "E_STATE_CORRUPT", shown: JOURNAL });
    } catch (err) {
      const missing = (err as HotwasmError).cause && ((err as HotwasmError).cause as NodeJS.ErrnoException).code === "ENOENT";
      if (!missing) unreadableList = (err as HotwasmError).message;
    }
    const parsed = text === null ? null : parseJournal(text);
    if (parsed && !parsed.ok) unreadableList = `${JOURNAL} is unreadable (${parsed.reason})`;
    if (unreadableList !== null) {
      if (readOnly !== null) {
        problems.push(`${unreadableList}; it was left in place (the directory cannot be written) and no patch was re-applied`);
      } else {
        const aside = await moveJournalAside(dir).catch((cause: unknown) => { throw writeFailed("keep the unreadable list aside", cause); });
        problems.push(`${unreadableList}; it was moved to ${aside}/ with every stored patch, and no patch was re-applied`);
      }
      return new PatchJournal(dir, [], [], problems, null, readOnly, options);
    }
    const list = parsed?.ok ? parsed : { patches: [], unreadable: [], notes: [] };
    problems.push(...list.notes);
    return new PatchJournal(dir, list.patches, list.unreadable, problems, text, readOnly, options);
  }

  /** The stored bytes of a patch, checked against their hash (E_STATE_CORRUPT otherwise; a FIFO, a device or a symlink is never opened for reading). */
  async readBytes(hash: string): Promise<Uint8Array> {
    const bytes = await readRegularFile(this.bytesPath(hash), {
      maxBytes: this.options.maxPatchBytes ?? 64 * 1024 * 1024, code: "E_STATE_CORRUPT", tooLargeCode: "E_STATE_CORRUPT", shown: `the stored patch ${hash}.wasm`,
    });
    if (bytesToHex(sha256(bytes)) !== hash) throw new HotwasmError("E_STATE_CORRUPT", `the stored patch ${hash}.wasm does not match its hash`);
    return bytes;
  }

  /** Keeps the list as opened, with the stored bytes of `hashes`, in a new aside/<stamp>/; resolves to its name. */
  async keepAside(hashes: Iterable<string>): Promise<string> {
    this.checkWritable();
    try {
      return await setAside(this.dir, this.text, hashes);
    } catch (cause) {
      throw writeFailed("keep the list aside", cause);
    }
  }

  async saveBytes(hash: string, bytes: Uint8Array): Promise<void> {
    this.checkWritable();
    const existing = await this.readBytes(hash).catch(() => null);
    if (!existing) await this.writeAtomic(this.bytesPath(hash), bytes, false);
    await this.options.onStep?.("bytes-saved");
  }

  async saveList(patches: StoredPatch[]): Promise<void> {
    this.checkWritable();
    await this.options.onStep?.("list-begin");
    const text = `${JSON.stringify({ hotwasm_state: 1, patches }, null, 2)}\n`;
    await this.writeAtomic(join(this.dir, JOURNAL), new TextEncoder().encode(text), true);
    await this.options.onStep?.("list-renamed");
    // Bytes no recorded patch needs (refused or unloaded ones) go once the list no longer names them:
    // only regular files named as stored patches, which hotwasm wrote.
    const keep = new Set(patches.map((p) => `${p.sha256}.wasm`));
    const stored = await readdir(join(this.dir, PATCHES)).catch(() => [] as string[]);
    for (const name of stored) {
      if (!BYTES_NAME.test(name) || keep.has(name)) continue;
      const entry = await lstat(join(this.dir, PATCHES, name)).catch(() => null);
      if (entry?.isFile()) await rm(join(this.dir, PATCHES, name), { force: true });
    }
  }

  private bytesPath(hash: string): string {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new HotwasmError("E_STATE_CORRUPT", `"${hash}" is not a SHA-256`);
    return join(this.dir, PATCHES, `${hash}.wasm`);
  }

  private checkWritable(): void {
    if (this.readOnly !== null) throw new HotwasmError("E_STATE_WRITE_FAILED", `the state directory cannot be written (${this.readOnly})`);
  }

  private async writeAtomic(path: string, data: Uint8Array, isList: boolean): Promise<void> {
    const tmp = `${path}.tmp-${process.pid}-${++this.seq}`;
    try {
      // "wx": never opens what is already there (a planted FIFO or symlink).
      const file = await open(tmp, "wx", 0o600);
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
    } catch (cause) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw writeFailed(isList ? `write ${JOURNAL}` : "store the patch's bytes", cause);
    }
  }
}

/** A write the state directory refused, in words without the server's paths. */
function writeFailed(what: string, cause: unknown): HotwasmError {
  if (cause instanceof HotwasmError) return cause;
  return new HotwasmError("E_STATE_WRITE_FAILED", `cannot ${what}: ${describeFsError(cause)}`, { cause });
}
