// Setting up a HostPool: option checks, the imports module's URL and the base's compilation.

import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { describeError, HotwasmError } from "../errors.js";

/** Refuses a count outside min..max (E_INVALID_OPTION). */
export function checkCount(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new HotwasmError("E_INVALID_OPTION", `${name} must be a whole number from ${min} to ${max}, not ${String(value)}`);
  }
}

/** A module URL from a URL, a file URL string or a path (relative to the working directory). */
export function moduleUrl(spec: string | URL): string {
  if (spec instanceof URL) return spec.href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec) && !isAbsolute(spec)) return spec;
  return pathToFileURL(spec).href;
}

export async function compileBase(bytes: Uint8Array): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes as BufferSource);
  } catch (err) {
    throw new HotwasmError("E_INVALID_MODULE", `the base module does not compile: ${describeError(err)}`, { cause: err });
  }
}
