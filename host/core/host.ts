// The Host: runs a patchable base build and hot-patches it (hotgo's LoadHP / UnloadHP / GetHPInfo).
// Operations are serialised: one load or unload at a time, in the order they were asked for.

import { instantiateBase } from "./base-instance.js";
import { parseLoadConfig, type LoadConfig } from "../model/config.js";
import { HotwasmError, isHotwasmError, describeError } from "../errors.js";
import type { HostEventListener } from "../model/events.js";
import type { HostState } from "../lifecycle/host-state.js";
import { describePatches, type HPInfo } from "../lifecycle/hp-info.js";
import { applyPatch, compilePatch, compilePatchSync, preparePatch, rollBackPatch, stagePatch, SYNC_COMPILE_BYTES, type PreparedPatch } from "../lifecycle/load-patch.js";
import type { Manifest } from "../model/manifest.js";
import { OperationQueue } from "../lifecycle/op-queue.js";
import type { PatchTarget } from "./patch-target.js";
import type { HostOptions, ModuleSource } from "./host-options.js";
import type { Staged, StagedLoad, StageRequest } from "../model/staged.js";
import { saveListOrWarn, storedPatches, storeFailedError, type PatchStore, type StoredPatch } from "../lifecycle/patch-store.js";
import { toBytes, type ReadFile } from "./read-source.js";
import { settleUnloaded } from "../lifecycle/release-patch.js";
import { countTrap, revokePatch } from "../lifecycle/revoke-patch.js";
import { stageUnload, unloadPatch, type UnloadResult } from "../lifecycle/unload-patch.js";

export type { HPInfo };
export type { HostOptions, ModuleSource } from "./host-options.js";

/** Runs a patchable base build and applies patches to it. */
export class Host implements PatchTarget {
  /** The module's exports, demangled by @assemblyscript/loader, without hotwasm's own. */
  readonly exports: Record<string, any>;
  /** The base instance. */
  readonly instance: WebAssembly.Instance;
  /** The base build's manifest. */
  readonly manifest: Manifest;
  private readonly state: HostState;
  private readonly readFile: ReadFile;
  private readonly ops: OperationQueue;

  private constructor(state: HostState, exports: Record<string, any>, readFile: ReadFile) {
    this.state = state;
    this.instance = state.instance;
    this.manifest = state.manifest;
    this.exports = exports;
    this.readFile = readFile;
    this.ops = new OperationQueue(state.events);
  }

  /** Compiles and instantiates a patchable base build. */
  static async instantiate(source: ModuleSource, imports: WebAssembly.Imports = {}, options: HostOptions = {}): Promise<Host> {
    let self: Host | undefined;
    const onTrap = options.onPatchTrap ?? ((id: string, error: unknown) => self?.onTrap(id, error));
    const { state, exports, readFile } = await instantiateBase(source, imports, options, onTrap);
    self = new Host(state, exports, readFile);
    return self;
  }

  /** Subscribes to host events; returns the unsubscribe function. */
  on(listener: HostEventListener): () => void {
    return this.state.events.on(listener);
  }

  /** Loads a patch (hotgo's LoadHP); resolves to its id once it is in force (and recorded, with a store). */
  loadHP(config: LoadConfig): Promise<string> {
    return this.ops.serialise("load", null, async () => {
      const parsed = parseLoadConfig(config);
      const bytes = parsed.hp_bytes ? toBytes(parsed.hp_bytes) : await this.readPatchFile(parsed.hp_file!);
      return this.apply(preparePatch(this.state, bytes, parsed));
    });
  }

  /** Re-applies a recorded patch (a state directory's, at start-up); its events are marked `restored`. */
  restoreHP(entry: StoredPatch, readBytes: () => Promise<Uint8Array>): Promise<string> {
    return this.ops.serialise("load", entry.hp_id, async () => {
      const { replace_config, ref_config } = entry.config;
      const parsed = parseLoadConfig({ hp_bytes: new Uint8Array(0), replace_config, ref_config, ...(entry.policy ? { policy: entry.policy } : {}) });
      const prepared = preparePatch(this.state, await readBytes(), { ...parsed, hp_file: entry.config.hp_file });
      if (prepared.id !== entry.hp_id) throw new HotwasmError("E_STATE_CORRUPT", `the recorded patch ${entry.hp_id} has another id (${prepared.id}) from its stored bytes and config`);
      prepared.restored = true;
      return this.apply(prepared);
    }, true);
  }

  /** Loads a patch from bytes in one synchronous step (for use inside a call from Wasm). */
  loadHPSync(config: LoadConfig): string {
    const id = this.ops.exclusive("load", null, () => {
      const parsed = parseLoadConfig(config);
      if (!parsed.hp_bytes) throw new HotwasmError("E_INVALID_CONFIG", "loadHPSync needs hp_bytes");
      const prepared = preparePatch(this.state, toBytes(parsed.hp_bytes), parsed);
      if (this.state.store) throw new HotwasmError("E_INVALID_CONFIG", "loadHPSync cannot record a patch in a state directory; use loadHP");
      return applyPatch(this.state, prepared, compilePatchSync(prepared));
    });
    return id;
  }

  /** Unloads a patch (hotgo's UnloadHP); with a store, a failure to record it is a warning. */
  unloadHP(id: string): Promise<UnloadResult> {
    return this.ops.serialise("unload", id, async () => {
      const result = unloadPatch(this.state, id);
      if (!this.state.store) return result;
      const warning = await this.persist();
      if (warning) result.warnings.push(`${warning}; the patch will be re-applied at the next start`);
      return result;
    });
  }

  /** Synchronous twin of `unloadHP` (with a store, it is recorded right after). */
  unloadHPSync(id: string): UnloadResult {
    const result = this.ops.exclusive("unload", id, () => unloadPatch(this.state, id));
    this.persistLater();
    return result;
  }

  /**
   * Phase 1 of a two-phase load (HostPool uses it): every check, the instantiation and
   * HPBeforeLoad, without switching. Until `commit` or `discard` the host takes no other operation.
   */
  stageLoad(request: StageRequest): StagedLoad {
    const staged = this.ops.exclusive("load", null, () => {
      const bytes = toBytes(request.bytes);
      const { replace_config, ref_config } = parseLoadConfig({
        hp_bytes: bytes, replace_config: request.config?.replace_config, ref_config: request.config?.ref_config,
      });
      const prepared = preparePatch(this.state, bytes, { hp_file: request.config?.hp_file, replace_config, ref_config, ...(request.policy ? { policy: request.policy } : {}) });
      return stagePatch(this.state, prepared, request.module ?? compilePatchSync(prepared));
    });
    const id = staged.id;
    const rollback = (reason: string) => this.ops.exclusive("load", id, () => {
      if (!this.state.patches.has(id)) throw new HotwasmError("E_UNKNOWN_PATCH", `no loaded patch has id "${id}"`, { details: { hp_id: id } });
      rollBackPatch(this.state, id, reason);
    });
    let settled = false;
    const held = this.ops.hold("load", id, () => { settled = true; return staged.commit(); });
    // Invariant: a staged load holds table slots until it is committed or discarded.
    const discard = () => { if (!settled) { settled = true; staged.discard(); } held.discard(); };
    return { ...held, discard, rollback };
  }

  /** Phase 1 of a two-phase unload: HPBeforeUnload may veto; nothing switches until `commit`. */
  stageUnload(id: string): Staged<UnloadResult> {
    const staged = this.ops.exclusive("unload", id, () => stageUnload(this.state, id));
    return this.ops.hold("unload", id, staged.commit);
  }

  /** Takes loaded patch `id` out of force without its hooks, as trap containment does (a HostPool's rollback). */
  revokeHP(id: string, reason: string): void {
    this.ops.exclusive("unload", id, () => {
      if (!this.state.patches.has(id)) throw new HotwasmError("E_UNKNOWN_PATCH", `no loaded patch has id "${id}"`, { details: { hp_id: id } });
      revokePatch(this.state, id, reason);
    });
    this.persistLater();
  }

  /** The loaded patches, oldest first (hotgo's GetHPInfo); then unloaded ones the program may still
   * use, then the last ones the host rolled back. */
  getHPInfo(): HPInfo[] {
    return describePatches(this.state);
  }

  /** Records the loaded patches in `store` from now on (after re-applying what it held). */
  persistTo(store: PatchStore): Promise<void> {
    return this.ops.serialise("load", null, async () => {
      this.state.store = store;
      await store.saveList(storedPatches(this.state));
    });
  }

  /** Checks the retained patches again; releases those the program no longer uses. Returns the ids still retained. */
  releaseRetained(): Promise<string[]> {
    return this.ops.serialise("unload", null, async () => {
      settleUnloaded(this.state);
      return [...this.state.retained.keys()];
    });
  }

  /** Which patches replace `symbol`, oldest first; the last one is in force. */
  patchStack(symbol: string): string[] {
    const fn = this.state.symbols.resolveFunction(symbol);
    return fn.slot === null ? [] : this.state.swap.stackAt(fn.slot);
  }

  private async readPatchFile(path: string): Promise<Uint8Array> {
    try {
      return await this.readFile(path);
    } catch (err) {
      if (isHotwasmError(err)) throw err; // a reader's own refusal (confinement, size) keeps its code
      throw new HotwasmError("E_PATCH_READ_FAILED", `cannot read ${path}: ${describeError(err)}`, { cause: err });
    }
  }

  /** Compiles, records the bytes, applies and records the list; a failed record rolls the load back. */
  private async apply(prepared: PreparedPatch): Promise<string> {
    const module = prepared.bytes.length <= SYNC_COMPILE_BYTES ? compilePatchSync(prepared) : await compilePatch(prepared);
    const { store } = this.state;
    if (!store) return this.ops.guard("load", prepared.id, () => applyPatch(this.state, prepared, module), !!prepared.restored);
    return this.ops.guard("load", prepared.id, async () => {
      await store?.saveBytes(prepared.sha256, prepared.bytes).catch((err: unknown) => { throw storeFailedError(err, "its bytes"); });
      const id = applyPatch(this.state, prepared, module);
      await store?.saveList(storedPatches(this.state)).catch((err: unknown) => {
        revokePatch(this.state, id, `the state directory could not record the load: ${describeError(err)}`);
        throw storeFailedError(err, "the load", true);
      });
      return id;
    }, !!prepared.restored);
  }

  /** A failure attributed to patch `id`: over its policy's limit, it is rolled back (now when idle, else queued). */
  private onTrap(id: string, error: unknown): void {
    if (!countTrap(this.state, id, error)) return;
    const patch = this.state.patches.get(id)!;
    const reason = `its code failed ${patch.traps.times.length} times within ${patch.policy!.window_ms} ms (policy: at most ${patch.policy!.max_traps})`;
    if (this.ops.idle) {
      revokePatch(this.state, id, reason);
      this.persistLater();
    } else {
      void this.ops.serialise("unload", id, async () => { revokePatch(this.state, id, reason); await this.persist(); }).catch(() => undefined);
    }
  }

  /** Records the loaded patches in the store, if any; resolves to a warning when that failed. */
  private async persist(): Promise<string | null> {
    return this.state.store ? saveListOrWarn(this.state.store, storedPatches(this.state), this.state.events) : null;
  }

  /** Queues a `persist` after a change made outside the queue. */
  private persistLater(): void {
    if (this.state.store) void this.ops.serialise("unload", null, async () => { await this.persist(); });
  }
}

