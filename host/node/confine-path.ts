// Path confinement for hp_file: a reader (HostOptions.readFile) that only reads regular files
// inside one directory, after following symlinks, and no larger than a bound.

import { constants } from "node:fs";
import { open, realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { HotwasmError, describeError } from "../errors.js";
import type { ReadFile } from "../core/read-source.js";

/** A reader of patch files confined to `dir`; refuses E_PATH_OUTSIDE, E_PATCH_TOO_LARGE, E_PATCH_READ_FAILED. */
export async function createConfinedReader(dir: string, maxBytes: number): Promise<{ root: string; readFile: ReadFile }> {
  let root: string;
  try {
    root = await realpath(dir);
    if (!(await stat(root)).isDirectory()) throw new Error("not a directory");
  } catch (cause) {
    throw new HotwasmError("E_ADMIN_CONFIG", `the patch directory ${dir} is unusable: ${describeError(cause)}`, { cause });
  }
  const readFile: ReadFile = async (path) => {
    if (path.includes("\0")) throw new HotwasmError("E_PATH_OUTSIDE", "hp_file contains a NUL byte");
    const wanted = resolve(root, path);
    if (!isInside(root, wanted)) throw new HotwasmError("E_PATH_OUTSIDE", `hp_file "${path}" is outside the patch directory`);
    let real: string;
    try {
      real = await realpath(wanted);
    } catch (cause) {
      throw new HotwasmError("E_PATCH_READ_FAILED", `cannot read ${path} in the patch directory: ${describeError(cause)}`, { cause });
    }
    if (!isInside(root, real)) throw new HotwasmError("E_PATH_OUTSIDE", `hp_file "${path}" is a symlink to a file outside the patch directory`);
    return readBounded(path, real, maxBytes);
  };
  return { root, readFile };
}

/** True when `path` is `root` or below it. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!isAbsolute(rel) && rel.split(sep)[0] !== "..");
}

/** Reads a regular file (not through a final symlink), refusing it before reading if it is too large. */
async function readBounded(shown: string, real: string, maxBytes: number): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (cause) {
    throw new HotwasmError("E_PATCH_READ_FAILED", `cannot read ${shown}: ${describeError(cause)}`, { cause });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new HotwasmError("E_PATCH_READ_FAILED", `${shown} is not a regular file`);
    if (info.size > maxBytes) throw new HotwasmError("E_PATCH_TOO_LARGE", `${shown} has ${info.size} bytes; the limit is ${maxBytes}`);
    const buffer = new Uint8Array(maxBytes + 1);
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, size, buffer.length - size, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > maxBytes) throw new HotwasmError("E_PATCH_TOO_LARGE", `${shown} grew over the limit of ${maxBytes} bytes`);
    }
    return buffer.slice(0, size);
  } finally {
    await handle.close();
  }
}
