// Path confinement for hp_file: a reader (HostOptions.readFile) that only reads regular files
// inside one directory, after following symlinks, and no larger than a bound.

import { realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { HotwasmError } from "../errors.js";
import type { ReadFile } from "../core/read-source.js";
import { describeFsError, readRegularFile } from "./regular-file.js";

/** A reader of patch files confined to `dir`; refuses E_PATH_OUTSIDE, E_PATCH_TOO_LARGE, E_PATCH_READ_FAILED. */
export async function createConfinedReader(dir: string, maxBytes: number): Promise<{ root: string; readFile: ReadFile }> {
  let root: string;
  try {
    root = await realpath(dir);
    if (!(await stat(root)).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
  } catch (cause) {
    throw new HotwasmError("E_ADMIN_CONFIG", `the patch directory ${dir} is unusable: ${describeFsError(cause)}`, { cause });
  }
  const readFile: ReadFile = async (path) => {
    if (path.includes("\0")) throw new HotwasmError("E_PATH_OUTSIDE", "hp_file contains a NUL byte");
    if (!isInside(root, resolve(root, path))) throw new HotwasmError("E_PATH_OUTSIDE", `hp_file "${path}" is outside the patch directory`);
    // The path as given, not normalised as text: "missing/../hp.wasm" names no file, as open(2) would say.
    const literal = isAbsolute(path) ? path : `${root}${sep}${path}`;
    let real: string;
    try {
      real = await realpath(literal);
    } catch (cause) {
      throw new HotwasmError("E_PATCH_READ_FAILED", `cannot read ${path} in the patch directory: ${describeFsError(cause)}`, { cause });
    }
    if (!isInside(root, real)) throw new HotwasmError("E_PATH_OUTSIDE", `hp_file "${path}" is a symlink to a file outside the patch directory`);
    // Messages name the file as given, relative to the patch directory: never the server's absolute path.
    return readRegularFile(real, { maxBytes, code: "E_PATCH_READ_FAILED", tooLargeCode: "E_PATCH_TOO_LARGE", shown: path });
  };
  return { root, readFile };
}

/** True when `path` is `root` or below it. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!isAbsolute(rel) && rel.split(sep)[0] !== "..");
}
