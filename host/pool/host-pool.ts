// HostPool: one patchable base build running in N worker threads (one instance each), patched
// all at once with stop-the-world swaps (run-swap.ts). Same admin surface as a Host: loadHP,
// unloadHP, getHPInfo, on. Node only (`import { HostPool } from "hotwasm/node"`).

import { availableParallelism } from "node:os";
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { parseLoadConfig, type LoadConfig } from "../config.js";
import { describeError, HotwasmError } from "../errors.js";
import { EventHub, type HostEventListener } from "../events.js";
import type { HPInfo, ModuleSource } from "../host.js";
import { compilePatch, preparePatch } from "../load-patch.js";
import { readManifest, type Manifest } from "../manifest.js";
import { OperationQueue } from "../op-queue.js";
import type { AdminTarget } from "../admin-target.js";
import { SymbolTable } from "../symbols.js";
import { defaultReadFile, toBytes, type ReadFile } from "../read-source.js";
import type { UnloadResult } from "../unload-patch.js";
import { CallQueue } from "./call-queue.js";
import { createControlBlock } from "./protocol.js";
import { emitCommitted, emitStaged } from "./pool-events.js";
import { runSwap, type StageCommand, type SwapStats } from "./run-swap.js";
import { resolveWorkerScript } from "./worker-script.js";
import { WorkerLink } from "./worker-link.js";

/** Options of a HostPool. */
export interface HostPoolOptions {
  /** Number of workers (default: the machine's available parallelism). */
  workers?: number;
  /** A module each worker imports for the base's imports: its default export is an imports object or `(ctx) => imports`. */
  imports?: string | URL;
  /** Passed to the imports function as `ctx.data` (structured clone: SharedArrayBuffers stay shared). */
  importsData?: unknown;
  /** Longest wait for every worker to reach a safe point, per phase (default 10 s). */
  safepointTimeoutMs?: number;
  /** Longest wait for the workers to start (default 60 s). */
  startTimeoutMs?: number;
  /** How `hp_file` and a base path are read (default: the file system). */
  readFile?: ReadFile;
  /** Largest patch accepted, in bytes (default 64 MiB). */
  maxPatchBytes?: number;
  /** Checks a patch's bytes before anything else (e.g. its signature); throws to refuse. */
  verifyPatch?: (bytes: Uint8Array) => void;
}

/** A pool of workers running one base build, patched all at once. */
export class HostPool implements AdminTarget {
  /** Timing of the last swap that went through (load or unload). */
  lastSwap: SwapStats | null = null;
  private readonly events = new EventHub();
  private readonly ops = new OperationQueue(this.events);
  private info: HPInfo[] = [];
  private closing: Promise<void> | null = null;
  private readonly calls: CallQueue;

  private constructor(readonly manifest: Manifest, private readonly links: WorkerLink[], private readonly options: HostPoolOptions) {
    this.calls = new CallQueue(links);
  }

  /** Starts the workers; each instantiates the base (compiled once, here). */
  static async create(source: ModuleSource, options: HostPoolOptions = {}): Promise<HostPool> {
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
    return new HostPool(manifest, links, options);
  }

  /** Number of workers. */
  get size(): number {
    return this.links.length;
  }

  /** Calls an export of the base on the next idle worker. */
  call(name: string, ...args: unknown[]): Promise<unknown> {
    if (this.closing) return Promise.reject(closedError());
    return this.calls.call(name, args);
  }

  /** Calls an export of the base on worker `index`. */
  callOn(index: number, name: string, ...args: unknown[]): Promise<unknown> {
    if (this.closing) return Promise.reject(closedError());
    const link = this.links[index];
    if (!link) return Promise.reject(new HotwasmError("E_CALL_FAILED", `the pool has no worker ${index} (it has ${this.links.length})`));
    return this.calls.callOn(link, name, args);
  }

  /** Subscribes to pool events (per-worker ones carry `worker`); returns the unsubscribe function. */
  on(listener: HostEventListener): () => void {
    return this.events.on(listener);
  }

  /** Loads a patch into every worker, all at once (hotgo's LoadHP); resolves to its id. */
  loadHP(config: LoadConfig): Promise<string> {
    return this.ops.serialise("load", null, async () => {
      this.checkUsable();
      const parsed = parseLoadConfig(config);
      const bytes = parsed.hp_bytes ? toBytes(parsed.hp_bytes) : await this.readPatchFile(parsed.hp_file!);
      const registry = { maxPatchBytes: this.options.maxPatchBytes ?? 64 * 1024 * 1024, patches: new Set(this.info.map((p) => p.hp_id)), verifyPatch: this.options.verifyPatch };
      const prepared = preparePatch(registry, bytes, parsed);
      const module = await compilePatch(prepared);
      return this.ops.guard("load", prepared.id, async () => {
        this.events.emit({ type: "load-begin", hp_id: prepared.id });
        await this.swap({ op: "stage-load", bytes, config: prepared.config, module }, prepared.id);
        this.events.emit({ type: "loaded", hp_id: prepared.id });
        return prepared.id;
      });
    });
  }

  /** Unloads a patch from every worker, all at once (hotgo's UnloadHP). */
  unloadHP(id: string): Promise<UnloadResult> {
    return this.ops.serialise("unload", id, async () => {
      this.checkUsable();
      if (!this.info.some((p) => p.hp_id === id)) throw new HotwasmError("E_UNKNOWN_PATCH", `no loaded patch has id "${id}"`, { details: { hp_id: id } });
      this.events.emit({ type: "unload-begin", hp_id: id });
      const commits = await this.swap({ op: "stage-unload", hp_id: id }, id);
      const warnings = commits.flatMap((c) => (c.reply?.warnings ?? []).map((w) => `worker ${c.index}: ${w}`));
      this.events.emit({ type: "unloaded", hp_id: id, warnings });
      return { hp_id: id, warnings };
    });
  }

  /** The loaded patches, oldest first (hotgo's GetHPInfo); the same in every worker. */
  getHPInfo(): HPInfo[] {
    return structuredClone(this.info);
  }

  /** Which patches replace `symbol`, oldest first; the last one is in force. */
  patchStack(symbol: string): string[] {
    const name = new SymbolTable(this.manifest).resolveFunction(symbol).name;
    return this.info.filter((p) => p.state === "loaded" && p.replaces.some((r) => r.symbol === name)).map((p) => p.hp_id);
  }

  /** Stops every worker; calls still running or waiting fail with E_POOL_CLOSED. */
  close(): Promise<void> {
    this.calls.failAll(closedError());
    this.closing ??= Promise.all(this.links.map((l) => l.terminate(closedError()))).then(() => undefined);
    return this.closing;
  }

  private async swap(stage: StageCommand, id: string) {
    const timeout = this.options.safepointTimeoutMs ?? 10_000;
    try {
      const outcome = await runSwap(this.links, stage, timeout, {
        staged: (replies) => emitStaged(this.events, replies),
        committed: (replies, failure) => emitCommitted(this.events, id, replies, failure),
      });
      this.lastSwap = outcome.stats;
      if (outcome.info) this.info = outcome.info;
      return outcome.commits;
    } catch (err) {
      throw this.closing ? closedError() : err;
    }
  }

  private checkUsable(): void {
    if (this.closing) throw closedError();
    const broken = this.links.find((l) => l.failure);
    if (broken) throw broken.failure!;
  }

  private async readPatchFile(path: string): Promise<Uint8Array> {
    try {
      return await (this.options.readFile ?? defaultReadFile)(path);
    } catch (err) {
      throw new HotwasmError("E_PATCH_READ_FAILED", `cannot read ${path}: ${describeError(err)}`, { cause: err });
    }
  }
}

function closedError(): HotwasmError {
  return new HotwasmError("E_POOL_CLOSED", "the pool is closed");
}

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
