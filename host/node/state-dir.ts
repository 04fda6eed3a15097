// The layout of a state directory and what it owns: its marker (hotwasm-state.json), journal.json,
// patches/<sha256>.wasm, aside/<stamp>/ (lists kept with their bytes) and its own temporary files.
// A directory holding anything else is refused; nothing but those names is ever written or removed.

import { constants } from "node:fs";
import { copyFile, link, lstat, mkdir, open, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { HotwasmError } from "../errors.js";
import { describeFsError, readRegularFile } from "./regular-file.js";

/** The marker a state directory carries, written when hotwasm makes (or adopts an empty) directory. */
export const MARKER = "hotwasm-state.json";
/** The list of loaded patches. */
export const JOURNAL = "journal.json";
/** Where stored bytes live, and where set-aside lists live. */
export const PATCHES = "patches";
export const ASIDE = "aside";

const MARKER_TEXT = `${JSON.stringify({ hotwasm_state_dir: 1, note: "made by hotwasm serve --state-dir; hotwasm writes and removes only its own files here" })}\n`;
/** A stored patch's file name. */
export const BYTES_NAME = /^[0-9a-f]{64}\.wasm$/;
/** A temporary file of an atomic write (its target name, then .tmp-PID-N). */
export const TEMP_NAME = /^(?:journal\.json|[0-9a-f]{64}\.wasm)\.tmp-\d+-\d+$/;
/** Lists an earlier hotwasm moved aside (kept, never removed). */
const LEGACY_ASIDE = /^journal\.json\.corrupt-\d+$/;

/** What opening found. */
export interface StateDirCheck {
  /** Notes for the operator (an adopted directory, a read-only one). */
  notes: string[];
  /** Why nothing can be written, or null when it can. */
  readOnly: string | null;
}

/** Makes `dir` a state directory, or checks that it is one; refuses (E_STATE_DIR_FOREIGN) a directory holding anything else. */
export async function prepareStateDir(dir: string): Promise<StateDirCheck> {
  const notes: string[] = [];
  let info;
  try {
    info = await stat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw unusable(dir, err);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(join(dir, MARKER), MARKER_TEXT, { flag: "wx", mode: 0o600 });
    } catch (cause) {
      throw unusable(dir, cause);
    }
    info = await stat(dir);
  }
  if (!info.isDirectory()) throw new HotwasmError("E_ADMIN_CONFIG", `the state directory ${dir} is not a directory`);
  const top = await list(dir);
  const marked = top.includes(MARKER);
  if (marked) await checkMarker(dir);
  const foreign = top.filter((n) => n !== MARKER && n !== JOURNAL && n !== PATCHES && n !== ASIDE && !TEMP_NAME.test(n) && !LEGACY_ASIDE.test(n));
  for (const sub of [PATCHES, ASIDE]) {
    if (!top.includes(sub)) continue;
    const entry = await lstat(join(dir, sub));
    if (!entry.isDirectory()) foreign.push(`${sub} (not a directory)`);
  }
  if (top.includes(PATCHES) && !foreign.some((f) => f.startsWith(PATCHES))) {
    for (const name of await list(join(dir, PATCHES))) if (!BYTES_NAME.test(name) && !TEMP_NAME.test(name)) foreign.push(`${PATCHES}/${name}`);
  }
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 5).map((f) => JSON.stringify(f)).join(", ");
    throw new HotwasmError("E_STATE_DIR_FOREIGN", `the state directory ${dir} holds files hotwasm did not create (${shown}${foreign.length > 5 ? `, and ${foreign.length - 5} more` : ""}); ` +
      "nothing was changed: give a new or empty directory for --state-dir");
  }
  const readOnly = await probeWritable(dir);
  if (!marked && readOnly === null) {
    // An empty directory, or the layout of an earlier hotwasm (journal.json and patches/ only): adopted.
    await writeFile(join(dir, MARKER), MARKER_TEXT, { flag: "wx", mode: 0o600 }).catch((cause: unknown) => { throw unusable(dir, cause); });
    if (top.length > 0) notes.push(`adopted ${dir}, a state directory of an earlier hotwasm (it had no ${MARKER})`);
  }
  if (readOnly !== null) notes.push(`the state directory cannot be written (${readOnly}): the recorded patches are re-applied, but loads are refused with E_STATE_WRITE_FAILED until it can`);
  try {
    await mkdir(join(dir, PATCHES), { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST" && readOnly === null) throw unusable(dir, err);
  }
  if (readOnly === null) await removeTemporaries(dir);
  return { notes, readOnly };
}

/** Keeps `journalText` and the stored bytes of `hashes` in a new aside/<stamp>/ (a state directory
 * layout of its own, restorable with --state-dir); returns its name relative to `dir`. */
export async function setAside(dir: string, journalText: Uint8Array | null, hashes: Iterable<string>): Promise<string> {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  let name = "";
  for (let n = 0; ; n++) {
    name = `${ASIDE}/${stamp}${n === 0 ? "" : `-${n}`}`;
    try {
      await mkdir(join(dir, ASIDE), { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => { if (err.code !== "EEXIST") throw err; });
      await mkdir(join(dir, name), { mode: 0o700 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || n > 100) throw err;
    }
  }
  const target = join(dir, name);
  await mkdir(join(target, PATCHES), { mode: 0o700 });
  await writeFile(join(target, MARKER), MARKER_TEXT, { flag: "wx", mode: 0o600 });
  if (journalText) await writeFile(join(target, JOURNAL), journalText, { flag: "wx", mode: 0o600 });
  for (const hash of new Set(hashes)) {
    if (!/^[0-9a-f]{64}$/.test(hash)) continue;
    const from = join(dir, PATCHES, `${hash}.wasm`);
    const entry = await lstat(from).catch(() => null);
    if (!entry?.isFile()) continue; // only regular files are kept (a FIFO or a symlink is no patch's bytes)
    const to = join(target, PATCHES, `${hash}.wasm`);
    // A hard link costs nothing and keeps the bytes when patches/ lets go of them; a copy where links are not allowed.
    await link(from, to).catch(() => copyFile(from, to, constants.COPYFILE_EXCL));
  }
  return name;
}

/** Renames the unreadable journal into a new aside/<stamp>/ with every stored file; returns its name. */
export async function moveJournalAside(dir: string): Promise<string> {
  const hashes = (await list(join(dir, PATCHES)).catch(() => [] as string[])).filter((n) => BYTES_NAME.test(n)).map((n) => n.slice(0, 64));
  const name = await setAside(dir, null, hashes);
  await rename(join(dir, JOURNAL), join(dir, name, JOURNAL));
  return name;
}

async function checkMarker(dir: string): Promise<void> {
  const bytes = await readRegularFile(join(dir, MARKER), { maxBytes: 4096, code: "E_STATE_DIR_FOREIGN", shown: `${dir}/${MARKER}` });
  let ok = false;
  try {
    ok = (JSON.parse(new TextDecoder().decode(bytes)) as { hotwasm_state_dir?: unknown }).hotwasm_state_dir === 1;
  } catch {
    ok = false;
  }
  if (!ok) throw new HotwasmError("E_STATE_DIR_FOREIGN", `${dir}/${MARKER} is not hotwasm's marker; nothing was changed`);
}

/** Null when a file can be made in the directory and in patches/, else why not. */
async function probeWritable(dir: string): Promise<string | null> {
  for (const where of [dir, join(dir, PATCHES)]) {
    const probe = join(where, `${JOURNAL}.tmp-${process.pid}-0`);
    try {
      const handle = await open(probe, "wx", 0o600);
      await handle.close();
      await rm(probe, { force: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" && where !== dir) continue; // patches/ not made yet
      if (code === "EACCES" || code === "EPERM" || code === "EROFS") return describeFsError(err);
      if (code !== "EEXIST") throw unusable(dir, err);
    }
  }
  return null;
}

/** Removes the temporary files of writes a killed process left (regular files with our temporary names only). */
async function removeTemporaries(dir: string): Promise<void> {
  for (const sub of [dir, join(dir, PATCHES)]) {
    for (const name of await list(sub)) {
      if (!TEMP_NAME.test(name)) continue;
      const entry = await lstat(join(sub, name)).catch(() => null);
      if (entry?.isFile()) await rm(join(sub, name), { force: true });
    }
  }
}

async function list(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw unusable(dir, cause);
  }
}

function unusable(dir: string, cause: unknown): HotwasmError {
  return new HotwasmError("E_ADMIN_CONFIG", `the state directory ${dir} is unusable: ${describeFsError(cause)}`, { cause });
}
