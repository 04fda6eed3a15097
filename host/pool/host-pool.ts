// HostPool: one patchable base build running in N worker threads (one instance each), patched
// all at once with stop-the-world swaps (run-swap.ts). Same admin surface as a Host: loadHP,
// unloadHP, getHPInfo, on. Node only (`import { HostPool } from "hotwasm/node"`).

import { parseLoadConfig, type LoadConfig } from "../model/config.js";
import { describeError, HotwasmError, isHotwasmError } from "../errors.js";
import { EventHub, type HostEventInput, type HostEventListener } from "../model/events.js";
import type { HPInfo, ModuleSource } from "../core/host.js";
import { compilePatch, preparePatch, type PreparedPatch } from "../lifecycle/load-patch.js";
import type { Manifest } from "../model/manifest.js";
import { OperationQueue } from "../lifecycle/op-queue.js";
import type { AdminTarget } from "../admin/admin-target.js";
import { SymbolTable } from "../model/symbols.js";
import { defaultReadFile, toBytes } from "../core/read-source.js";
import type { UnloadResult } from "../lifecycle/unload-patch.js";
import type { PatchStore, StoredPatch } from "../lifecycle/patch-store.js";
import { PoolRecord } from "./pool-record.js";
import { startWorkers, type StartedWorkers } from "./pool-setup.js";
import { DEFAULT_PATCH_TIMEOUT_MS } from "./patch-watchdog.js";
import { PoolTraps } from "./pool-traps.js";
import { CallQueue } from "./call-queue.js";
import { emitCommitted, emitStaged } from "./pool-events.js";
import { runSwap, type StageCommand, type SwapStats } from "./run-swap.js";
import { replaceStalled, type LoadCommand } from "./replace-worker.js";
import type { WorkerLink } from "./worker-link.js";
import type { HostPoolOptions } from "./pool-options.js";

export type { HostPoolOptions } from "./pool-options.js";

/** A pool of workers running one base build, patched all at once. */
export class HostPool implements AdminTarget {
  /** Timing of the last swap that went through (load or unload). */
  lastSwap: SwapStats | null = null;
  private readonly events = new EventHub();
  private readonly ops = new OperationQueue(this.events);
  private info: HPInfo[] = [];
  private closing: Promise<void> | null = null;
  private readonly calls: CallQueue;
  private readonly record = new PoolRecord(this.events);
  private readonly traps = new PoolTraps();
  /** The loads in force, in load order: what a replacement worker is given to be like the others. */
  private readonly inForce = new Map<string, LoadCommand>();

  private constructor(readonly manifest: Manifest, private readonly links: WorkerLink[], private readonly respawn: StartedWorkers["respawn"], private readonly options: HostPoolOptions) {
    this.calls = new CallQueue(links);
    for (const link of links) this.watch(link);
  }

  /** Starts the workers; each instantiates the base (compiled once, here). */
  static async create(source: ModuleSource, options: HostPoolOptions = {}): Promise<HostPool> {
    const { manifest, links, respawn } = await startWorkers(source, options);
    return new HostPool(manifest, links, respawn, options);
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

  /** Loads a patch into every worker, all at once (hotgo's LoadHP); resolves to its id (recorded, with a store). */
  loadHP(config: LoadConfig): Promise<string> {
    return this.ops.serialise("load", null, async () => {
      this.checkUsable();
      const parsed = parseLoadConfig(config);
      const bytes = parsed.hp_bytes ? toBytes(parsed.hp_bytes) : await this.readPatchFile(parsed.hp_file!);
      return this.apply(preparePatch(this.registry(), bytes, parsed));
    });
  }

  /** Re-applies a recorded patch (a state directory's, at start-up); its events are marked `restored`. */
  restoreHP(entry: StoredPatch, readBytes: () => Promise<Uint8Array>): Promise<string> {
    return this.ops.serialise("load", entry.hp_id, async () => {
      this.checkUsable();
      const { replace_config, ref_config } = entry.config;
      const parsed = parseLoadConfig({ hp_bytes: new Uint8Array(0), replace_config, ref_config, ...(entry.policy ? { policy: entry.policy } : {}) });
      const prepared = preparePatch(this.registry(), await readBytes(), { ...parsed, hp_file: entry.config.hp_file });
      if (prepared.id !== entry.hp_id) throw new HotwasmError("E_STATE_CORRUPT", `the recorded patch ${entry.hp_id} has another id (${prepared.id}) from its stored bytes and config`);
      prepared.restored = true;
      return this.apply(prepared);
    }, true);
  }

  /** Records every later load and unload in `store`, starting with the patches in force. */
  persistTo(store: PatchStore): Promise<void> {
    return this.ops.serialise("load", null, () => this.record.attach(store, this.info));
  }

  /** Unloads a patch from every worker, all at once (hotgo's UnloadHP); with a store, a failure to record it is a warning. */
  unloadHP(id: string): Promise<UnloadResult> {
    return this.ops.serialise("unload", id, async () => {
      this.checkUsable();
      if (!this.info.some((p) => p.hp_id === id)) throw new HotwasmError("E_UNKNOWN_PATCH", `no loaded patch has id "${id}"`, { details: { hp_id: id } });
      this.events.emit({ type: "unload-begin", hp_id: id });
      const commits = await this.swap({ op: "stage-unload", hp_id: id }, id);
      this.inForce.delete(id);
      const warnings = commits.flatMap((c) => (c.reply?.warnings ?? []).map((w) => `worker ${c.index}: ${w}`));
      this.events.emit({ type: "unloaded", hp_id: id, warnings });
      this.traps.forget(id);
      const warning = await this.record.save(this.info);
      if (warning) warnings.push(`${warning}; the patch will be re-applied at the next start`);
      return { hp_id: id, warnings };
    });
  }

  /** The loaded patches, oldest first (hotgo's GetHPInfo); the same in every worker. */
  getHPInfo(): HPInfo[] {
    // Workers leave the counting to the pool: its counts are the ones to report.
    return structuredClone(this.info).map((p) => (p.policy ? { ...p, traps: this.traps.total(p.hp_id) ?? p.traps } : p));
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

  /** Compiles, records the bytes, swaps every worker and records the list; a failed record unloads it again. */
  private async apply(prepared: PreparedPatch): Promise<string> {
    const module = await compilePatch(prepared);
    const { id, bytes, config } = prepared;
    return this.ops.guard("load", id, async () => {
      await this.record.saveBytes(prepared.sha256, bytes);
      this.events.emit({ type: "load-begin", hp_id: id });
      const load: LoadCommand = { op: "stage-load", bytes, config, module, ...(prepared.policy ? { policy: prepared.policy } : {}) };
      await this.swap(load, id);
      this.inForce.set(id, load);
      if (prepared.policy) this.traps.track(id, prepared.policy);
      this.events.emit({ type: "loaded", hp_id: id, ...(prepared.restored ? { restored: true as const } : {}) });
      await this.record.saveLoad(this.info, async () => { await this.swap({ op: "stage-unload", hp_id: id }, id); this.inForce.delete(id); });
      return id;
    }, !!prepared.restored);
  }

  /** A worker's failure under patch `id`: counted for all workers; over the policy, the patch is rolled back everywhere. */
  private onWorkerTrap(worker: number, id: string, message: string): void {
    const counted = this.traps.count(id);
    if (!counted) return;
    this.events.emit({ type: "trap", hp_id: id, count: counted.count, message, worker } as HostEventInput);
    if (!counted.crossed) return;
    const { max_traps, window_ms } = counted.policy;
    const reason = `its code failed ${counted.count} times within ${window_ms} ms (policy: at most ${max_traps})`;
    void this.ops.serialise("unload", id, () => this.revoke(id, reason)).catch(() => undefined);
  }

  /** Rolls patch `id` back in every worker at once, without its hooks; records the change. */
  private async revoke(id: string, reason: string): Promise<void> {
    if (this.closing || !this.info.some((p) => p.hp_id === id && p.state === "loaded")) return;
    this.events.emit({ type: "rollback", hp_id: id, reason });
    await this.swap({ op: "stage-revoke", hp_id: id, reason }, id);
    this.inForce.delete(id);
    this.events.emit({ type: "unloaded", hp_id: id, warnings: [] });
    await this.record.save(this.info);
  }

  private registry() {
    return { maxPatchBytes: this.options.maxPatchBytes ?? 64 * 1024 * 1024, patches: new Set(this.info.map((p) => p.hp_id)), verifyPatch: this.options.verifyPatch };
  }

  private async swap(stage: StageCommand, id: string) {
    try {
      const outcome = await runSwap(this.links, stage, this.timeouts(), {
        staged: (replies) => emitStaged(this.events, replies),
        committed: (replies, failure) => emitCommitted(this.events, id, replies, failure),
      });
      this.lastSwap = outcome.stats;
      if (outcome.info) this.info = outcome.info;
      return outcome.commits;
    } catch (err) {
      if (this.closing) throw closedError();
      // Workers that never answered are stopped and replaced before the refusal is answered: the
      // pool runs on, and what `info` says (the state before this swap) is what every worker has.
      await replaceStalled({ links: this.links, inForce: this.inForce, respawn: this.respawn, timeouts: this.timeouts(), events: this.events, watch: (l) => this.watch(l) });
      throw err;
    }
  }

  private timeouts() {
    return { safepointMs: this.options.safepointTimeoutMs ?? 10_000, patchCodeMs: this.options.patchTimeoutMs ?? DEFAULT_PATCH_TIMEOUT_MS };
  }

  private watch(link: WorkerLink): WorkerLink {
    link.onTrap = (worker, id, message) => this.onWorkerTrap(worker, id, message);
    return link;
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
      if (isHotwasmError(err)) throw err; // the reader's own refusal (E_PATH_OUTSIDE, E_PATCH_TOO_LARGE) keeps its code
      throw new HotwasmError("E_PATCH_READ_FAILED", `cannot read ${path}: ${describeError(err)}`, { cause: err });
    }
  }
}

function closedError(): HotwasmError {
  return new HotwasmError("E_POOL_CLOSED", "the pool is closed");
}

