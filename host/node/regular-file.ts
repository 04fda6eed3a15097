// Reading a file the host was pointed at (a patch, stored bytes, a key, a token, a journal) without
// ever blocking or following it into a FIFO or a device: checked before opening, opened
// non-blocking, checked again on the open descriptor, then read with a size bound.

import { constants } from "node:fs";
import { lstat, open, stat } from "node:fs/promises";
import { HotwasmError, type ErrorCode } from "../errors.js";

/** How to read one file. */
export interface RegularFileOptions {
  /** Largest size accepted, in bytes. */
  maxBytes: number;
  /** The code of every refusal but size (E_PATCH_READ_FAILED, E_STATE_CORRUPT, E_ADMIN_CONFIG...). */
  code: ErrorCode;
  /** The code of a file over `maxBytes` (default E_TOO_LARGE). */
  tooLargeCode?: ErrorCode;
  /** The name messages show (never the absolute path, unless that is what was given). */
  shown: string;
  /** Follow a final symlink (to a regular file) instead of refusing it (default false). */
  follow?: boolean;
  /** How a file system error is put in words (default describeFsError). */
  describe?: (err: unknown) => string;
}

/** The bytes of the regular file at `path`; refuses anything else (FIFO, device, directory, socket, symlink) with `code`. */
export async function readRegularFile(path: string, options: RegularFileOptions): Promise<Uint8Array> {
  const { maxBytes, code, shown } = options;
  const tooLarge = options.tooLargeCode ?? "E_TOO_LARGE";
  const refuse = (what: string, cause?: unknown) => new HotwasmError(code, `cannot read ${shown}: ${what}`, { cause });
  const describe = options.describe ?? describeFsError;
  let before;
  try {
    before = options.follow ? await stat(path) : await lstat(path);
  } catch (cause) {
    throw refuse(describe(cause), cause);
  }
  // Checked before opening: opening a FIFO for reading blocks, and opening a device may do anything.
  if (!before.isFile()) throw refuse(`it is ${kindOf(before)}, not a regular file`);
  if (before.size > maxBytes) throw new HotwasmError(tooLarge, `${shown} has ${before.size} bytes; the limit is ${maxBytes}`);
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | (options.follow ? 0 : constants.O_NOFOLLOW));
  } catch (cause) {
    throw refuse(describe(cause), cause);
  }
  try {
    // Checked again on the descriptor: the name may have been replaced in between.
    const info = await handle.stat();
    if (!info.isFile()) throw refuse(`it is ${kindOf(info)}, not a regular file`);
    if (info.size > maxBytes) throw new HotwasmError(tooLarge, `${shown} has ${info.size} bytes; the limit is ${maxBytes}`);
    const buffer = new Uint8Array(Math.min(maxBytes, info.size) + 1);
    let size = 0;
    for (;;) {
      if (size === buffer.length) throw new HotwasmError(tooLarge, `${shown} grew over the limit of ${maxBytes} bytes`);
      const { bytesRead } = await handle.read(buffer, size, buffer.length - size, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > maxBytes) throw new HotwasmError(tooLarge, `${shown} grew over the limit of ${maxBytes} bytes`);
    }
    return buffer.slice(0, size);
  } catch (err) {
    if (err instanceof HotwasmError) throw err;
    throw refuse(describe(err), err);
  } finally {
    await handle.close();
  }
}

/** A file system error in words, without the path Node puts in its message. */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== "string") return err instanceof Error ? err.message : String(err);
  return `${FS_ERRORS.get(code) ?? "the file system refused"} (${code})`;
}

const FS_ERRORS = new Map([
  ["ENOENT", "no such file"], ["EACCES", "permission denied"], ["EPERM", "operation not permitted"], ["ELOOP", "it is a symlink, which is not followed"],
  ["EISDIR", "it is a directory"], ["ENOTDIR", "a part of the path is not a directory"], ["EROFS", "the file system is read-only"],
  ["ENOSPC", "no space left on the device"], ["EMFILE", "too many open files"], ["ENAMETOOLONG", "the name is too long"], ["EEXIST", "it exists already"],
  ["ENXIO", "no such device"], ["EBUSY", "it is busy"], ["EIO", "an input/output error"], ["EDQUOT", "the disk quota is exceeded"],
]);

function kindOf(info: { isDirectory(): boolean; isFIFO(): boolean; isSymbolicLink(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (info.isDirectory()) return "a directory";
  if (info.isFIFO()) return "a FIFO";
  if (info.isSymbolicLink()) return "a symlink";
  if (info.isSocket()) return "a socket";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  return "not a regular file";
}
