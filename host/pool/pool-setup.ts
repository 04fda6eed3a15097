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
import { createControlBlock } from "./protocol.js";
import { resolveWorkerScript } from "./worker-script.js";
import { WorkerLink } from "./worker-link.js";

/** Compiles the base and starts the workers; when one fails to start, stops them all and throws its error. */
export async function startWorkers(source: ModuleSource, options: HostPoolOptions): Promise<{ manifest: Manifest; links: WorkerLink[] }> {
  const workers = options.workers ?? availableParallelism();
  checkCount("workers", workers, 1, 1024);
  checkCount("safepointTimeoutMs", options.safepointTimeoutMs ?? 1, 1, 2 ** 31 - 1);
  const readFile = options.readFile ?? defaultReadFile;
  const bytesOrModule = typeof source === "string" ? await readFile(source) : source;
  const module = bytesOrModule instanceof WebAssembly.Module ? bytesOrModule : await compileBase(toBytes(bytesOrModule));
  const manifest = readManifest(module);
  const script = resolveWorkerScript();
  const control = createControlBlock(workers);
  const importsUrl = options.imports === undefined ? null : moduleUrl(options.imports);
  const links = Array.from({ length: workers }, (_, index) =>
    WorkerLink.start(script, { index, workers, module, importsUrl, importsData: options.importsData, control }));
  const started = await Promise.allSettled(links.map((l) => l.ready(options.startTimeoutMs ?? 60_000)));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await Promise.all(links.map((l) => l.terminate(new HotwasmError("E_POOL_CLOSED", "the pool did not start"))));
    throw failed.reason;
  }
  return { manifest, links };
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
