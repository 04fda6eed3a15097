// Setting up a HostPool: option checks, the base compiled once, the workers started (each
// instantiates the base with the imports module's imports); all of them or none.

import { availableParallelism } from "node:os";
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { describeError, HotwasmError } from "../errors.js";
import type { ModuleSource } from "../core/host.js";
import { readManifest, type Manifest } from "../model/manifest.js";
import { defaultReadFile, toBytes } from "../core/read-source.js";
import type { HostPoolOptions } from "./pool-options.js";
import { createControlBlock, mailboxOf } from "./protocol.js";
import { DEFAULT_PATCH_TIMEOUT_MS } from "./patch-watchdog.js";
import { resolveWorkerScript } from "./worker-script.js";
import { WorkerLink } from "./worker-link.js";

/** A started pool's workers, and how to start worker `index` again (a replacement, same base and imports). */
export interface StartedWorkers {
  manifest: Manifest;
  links: WorkerLink[];
  respawn(index: number): Promise<WorkerLink>;
}

/** Compiles the base and starts the workers; when one fails to start, stops them all and throws its error. */
export async function startWorkers(source: ModuleSource, options: HostPoolOptions): Promise<StartedWorkers> {
  const workers = options.workers ?? availableParallelism();
  checkCount("workers", workers, 1, 1024);
  checkCount("safepointTimeoutMs", options.safepointTimeoutMs ?? 1, 1, 2 ** 31 - 1);
  const patchTimeoutMs = options.patchTimeoutMs ?? DEFAULT_PATCH_TIMEOUT_MS;
  checkCount("patchTimeoutMs", patchTimeoutMs, 1, 2 ** 31 - 1);
  const readFile = options.readFile ?? defaultReadFile;
  const bytesOrModule = typeof source === "string" ? await readFile(source) : source;
  const module = bytesOrModule instanceof WebAssembly.Module ? bytesOrModule : await compileBase(toBytes(bytesOrModule));
  const manifest = readManifest(module);
  const script = resolveWorkerScript();
  const control = createControlBlock(workers);
  const importsUrl = options.imports === undefined ? null : moduleUrl(options.imports);
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const start = (index: number) => WorkerLink.start(script, { index, workers, module, importsUrl, importsData: options.importsData, control, patchTimeoutMs });
  const links = Array.from({ length: workers }, (_, index) => start(index));
  const respawn = async (index: number) => {
    // Invariant: the worker it replaces is terminated, so its mailbox counter is read by this one alone; it starts from the count so far.
    Atomics.store(new Int32Array(control), mailboxOf(index), 0);
    const link = start(index);
    await link.ready(startTimeoutMs).catch(async (err: unknown) => { await link.terminate(err as HotwasmError); throw err; });
    return link;
  };
  const started = await Promise.allSettled(links.map((l) => l.ready(startTimeoutMs)));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await Promise.all(links.map((l) => l.terminate(new HotwasmError("E_POOL_CLOSED", "the pool did not start"))));
    throw failed.reason;
  }
  return { manifest, links, respawn };
}

/** Refuses a count outside min..max (E_INVALID_OPTION). */
function checkCount(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new HotwasmError("E_INVALID_OPTION", `${name} must be a whole number from ${min} to ${max}, not ${String(value)}`);
  }
}

/** A module URL from a URL, a file URL string or a path (relative to the working directory). */
function moduleUrl(spec: string | URL): string {
  if (spec instanceof URL) return spec.href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec) && !isAbsolute(spec)) return spec;
  return pathToFileURL(spec).href;
}

async function compileBase(bytes: Uint8Array): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes as BufferSource);
  } catch (err) {
    throw new HotwasmError("E_INVALID_MODULE", `the base module does not compile: ${describeError(err)}`, { cause: err });
  }
}
