// The Host behind `hotwasm serve`: a base build with its imports, patch files confined to a
// directory, patch size bounded and, with trusted keys, only signed patches accepted.

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { consoleImports } from "../core/console-imports.js";
import { HotwasmError, describeError } from "../errors.js";
import { Host } from "../core/host.js";
import { createConfinedReader } from "./confine-path.js";
import { createPatchVerifier, readTrustedKeys, type TrustedKey } from "./patch-signing.js";
import { readRegularFile } from "./regular-file.js";
import { createPatchWatchdog, DEFAULT_PATCH_TIMEOUT_MS } from "../pool/patch-watchdog.js";

/** Makes a base's imports; `getHost` returns the Host once it exists (to read strings from its memory). */
export type ImportsFactory = (getHost: () => Host | undefined) => WebAssembly.Imports;

/** What to serve. */
export interface ServedHostOptions {
  /** The patchable base build. */
  app: string;
  /** The base's imports (default: consoleImports, printing to stdout). */
  imports?: ImportsFactory;
  /** hp_file paths are resolved in, and confined to, this directory (default: the working directory). */
  patchDir?: string;
  /** A PEM file or a directory of *.pub / *.pem public keys; when given, only patches they signed load. */
  trustedKeys?: string;
  /** Largest patch, read from a file or uploaded (default 16 MiB). */
  maxPatchBytes?: number;
  /** Longest time patch code may run during a load or unload step (hooks), in ms (default 10 s). */
  patchTimeoutMs?: number;
}

/** A served Host and what it was set up with. */
export interface ServedHost {
  host: Host;
  patchDir: string;
  trustedKeys: TrustedKey[];
  maxPatchBytes: number;
}

/** Largest base build read, in bytes. */
const MAX_BASE_BYTES = 1024 * 1024 * 1024;

/** Default bound of a patch's size for the admin plane. */
export const DEFAULT_MAX_PATCH_BYTES = 16 * 1024 * 1024;

/** Instantiates the base with confinement, the size bound and signature checks in place. */
export async function instantiateServedHost(options: ServedHostOptions): Promise<ServedHost> {
  const maxPatchBytes = options.maxPatchBytes ?? DEFAULT_MAX_PATCH_BYTES;
  const { root, readFile: readPatch } = await createConfinedReader(options.patchDir ?? process.cwd(), maxPatchBytes);
  const trustedKeys = options.trustedKeys === undefined ? [] : await readTrustedKeys(options.trustedKeys);
  const bytes = await readRegularFile(options.app, { maxBytes: MAX_BASE_BYTES, code: "E_ADMIN_CONFIG", shown: `the base ${options.app}`, follow: true });
  let host: Host | undefined;
  const imports = (options.imports ?? ((get) => consoleImports(get)))(() => host);
  try {
    host = await Host.instantiate(bytes, imports, {
      readFile: readPatch, maxPatchBytes, verifyPatch: trustedKeys.length > 0 ? createPatchVerifier(trustedKeys) : undefined,
      runPatchCode: createPatchWatchdog(options.patchTimeoutMs ?? DEFAULT_PATCH_TIMEOUT_MS),
    });
  } catch (cause) {
    if (cause instanceof HotwasmError) throw cause;
    throw new HotwasmError("E_ADMIN_CONFIG", `cannot instantiate ${options.app}: ${describeError(cause)} (are its imports given? see --imports)`, { cause });
  }
  return { host, patchDir: root, trustedKeys, maxPatchBytes };
}

/** Loads an imports module: an ES module whose default (or `imports`) export is an ImportsFactory. */
export async function loadImportsModule(specifier: string, cwd: string): Promise<ImportsFactory> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(cwd, specifier)).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new HotwasmError("E_ADMIN_CONFIG", `cannot load the imports module ${specifier}: ${describeError(cause)}`, { cause });
  }
  const factory = mod.default ?? mod.imports;
  if (typeof factory !== "function") throw new HotwasmError("E_ADMIN_CONFIG", `${specifier} must export a function (getHost) => imports as default or as "imports"`);
  return factory as ImportsFactory;
}

/** The base's exported function `name` (for serve's --run and --tick). */
export function exportedFunction(host: Host, name: string): () => unknown {
  const fn = Object.prototype.hasOwnProperty.call(host.exports, name) ? host.exports[name] : undefined;
  if (typeof fn !== "function") {
    const names = Object.keys(host.exports).filter((k) => typeof host.exports[k] === "function" && !k.startsWith("__"));
    throw new HotwasmError("E_ADMIN_CONFIG", `the base exports no function "${name}" (it exports ${names.join(", ") || "none"})`);
  }
  return fn as () => unknown;
}
