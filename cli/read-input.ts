// The files a command reads and writes, each failure with its code: a file that cannot be read
// (E_READ_FAILED, or E_PATCH_READ_FAILED for a patch), one of the wrong kind (E_WRONG_FILE_TYPE,
// E_INVALID_MODULE, E_NOT_PATCHABLE_BUILD), an output that cannot be written (E_WRITE_FAILED).

import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { HotwasmError, describeError, type ErrorCode } from "../host/errors.js";
import { readManifest } from "../host/model/manifest.js";
import { readRegularFile } from "../host/node/regular-file.js";
import type { CliIo } from "./io.js";

/** Largest file a command reads, in bytes. */
const MAX_INPUT_BYTES = 1024 * 1024 * 1024;

/** The bytes of `file` (relative to the working directory); `what` names it in the message. Only a
 * regular file (or a symlink to one) is read, without blocking: a FIFO or a device is refused. */
export async function readInput(io: CliIo, file: string, what: string, code: ErrorCode = "E_READ_FAILED"): Promise<Uint8Array> {
  return readRegularFile(resolve(io.cwd, file), { maxBytes: MAX_INPUT_BYTES, code, tooLargeCode: code, shown: `${what}${what ? " " : ""}${file}`, follow: true, describe: describeFileError });
}

/** The bytes of a patchable base build: a WebAssembly module with a hotwasm manifest. */
export async function readBaseBuild(io: CliIo, file: string): Promise<Uint8Array> {
  const bytes = await readInput(io, file, "the base");
  readManifest(compileModule(bytes, `the base ${file}`));
  return bytes;
}

/** Compiles `bytes`, refusing what is not WebAssembly (E_INVALID_MODULE). */
export function compileModule(bytes: Uint8Array, shown: string): WebAssembly.Module {
  try {
    return new WebAssembly.Module(bytes as BufferSource);
  } catch (err) {
    const magic = bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
    throw new HotwasmError("E_INVALID_MODULE", magic ? `${shown} is not a valid WebAssembly module: ${describeError(err)}` : `${shown} is not a WebAssembly module (it does not start with \\0asm)`, { cause: err });
  }
}

/** Refuses a source that is not an AssemblyScript file (E_WRONG_FILE_TYPE). */
export function checkSourceName(file: string, what: string): void {
  if (!/\.ts$/.test(file)) throw new HotwasmError("E_WRONG_FILE_TYPE", `${what} ${file} is not an AssemblyScript source (a .ts file)`);
}

/** Writes `bytes` to `file` (creating its directory; `exclusive`: never over an existing file). */
export async function writeOutput(io: CliIo, file: string, bytes: string | Uint8Array, options: { exclusive?: boolean; mode?: number } = {}): Promise<void> {
  const path = resolve(io.cwd, file);
  try {
    if (!options.exclusive) await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes, { flag: options.exclusive ? "wx" : "w", mode: options.mode });
  } catch (err) {
    throw new HotwasmError("E_WRITE_FAILED", `cannot write ${file}: ${describeFileError(err)}`, { cause: err });
  }
}

/** A file system error in words. */
export function describeFileError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EISDIR") return "it is a directory";
  if (code === "ENOTDIR") return "a part of the path is not a directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EEXIST") return "it exists already (it is never overwritten)";
  return describeError(err);
}
