// The Host: runs a patchable base build and hot-patches it (hotgo's LoadHP / UnloadHP / GetHPInfo).
// Operations are serialised: one load or unload at a time, in the order they were asked for.

import { instantiate as instantiateWithLoader } from "@assemblyscript/loader";
import { parseLoadConfig, type LoadConfig } from "./config.js";
import { HotwasmError, describeError, isHotwasmError } from "./errors.js";
import { describePatches, type HPInfo } from "./hp-info.js";
export type { HPInfo } from "./hp-info.js";
import { EventHub, type HostEventListener } from "./events.js";
import type { HostState } from "./host-state.js";
import { applyPatch, compilePatch, compilePatchSync, preparePatch, rollBackPatch, stagePatch } from "./load-patch.js";
import { readManifest, type Manifest } from "./manifest.js";
import { defaultReadFile, toBytes, type ReadFile } from "./read-source.js";
import { SwapTable } from "./swap-table.js";
import { ArenaAllocator, TableAllocator } from "./placement.js";
import { RuntimeHooks } from "./runtime-hooks.js";
import { settleUnloaded } from "./release-patch.js";
import { SymbolTable } from "./symbols.js";
import { OperationQueue } from "./op-queue.js";
import type { PatchTarget } from "./patch-target.js";
import type { Staged, StagedLoad, StageRequest } from "./staged.js";
import { stageUnload, unloadPatch, type UnloadResult } from "./unload-patch.js";

/** Options of a Host. */
export interface HostOptions {
  /** How `hp_file` and a base path are read (default: the file system, or fetch in a browser). */
  readFile?: ReadFile;
  /** Largest patch accepted, in bytes (default 64 MiB). */
  maxPatchBytes?: number;
  /** Checks a patch's bytes before anything else reads or compiles them (signatures); throws to refuse. */
  verifyPatch?: (bytes: Uint8Array) => void;
}


/** A source of a module: bytes, a compiled module, or a path. */
export type ModuleSource = Uint8Array | ArrayBuffer | WebAssembly.Module | string;

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
    const readFile = options.readFile ?? defaultReadFile;
    const bytesOrModule = typeof source === "string" ? await readFile(source) : source;
    const module = bytesOrModule instanceof WebAssembly.Module ? bytesOrModule : await compileBase(toBytes(bytesOrModule));
    const manifest = readManifest(module);
    imports = withSafepointImport(module, imports);
    const { instance, exports } = await instantiateWithLoader(module, imports as Record<string, any>);
    const table = instance.exports[manifest.table.export];
    if (!(table instanceof WebAssembly.Table)) throw new HotwasmError("E_NOT_PATCHABLE_BUILD", "the base does not export its table");
    const swap = new SwapTable(table);
    for (const fn of manifest.functions) {
      if (fn.slot === null) continue;
      const flag = instance.exports[fn.flag ?? ""];
      if (!(flag instanceof WebAssembly.Global)) throw new HotwasmError("E_NOT_PATCHABLE_BUILD", `the base does not export the flag of ${fn.name}`);
      const twin = fn.twin_flag ? instance.exports[fn.twin_flag] : undefined;
      if (fn.twin_flag && !(twin instanceof WebAssembly.Global)) throw new HotwasmError("E_NOT_PATCHABLE_BUILD", `the base does not export the twin flag of ${fn.name}`);
      swap.addSlot(fn.slot, flag, ...(twin ? [twin as WebAssembly.Global] : []));
    }
    const tables = new TableAllocator(table);
    const state: HostState = {
      manifest, symbols: new SymbolTable(manifest), instance, imports, swap, events: new EventHub(),
      patches: new Map(), retained: new Map(), arena: new ArenaAllocator(manifest.arena.start, manifest.arena.size),
      tables, hooks: new RuntimeHooks(manifest, instance.exports, swap, table, tables),
      nextOrder: 1, maxPatchBytes: options.maxPatchBytes ?? 64 * 1024 * 1024,
      verifyPatch: options.verifyPatch,
    };
    return new Host(state, withoutInternals(exports as Record<string, any>), readFile);
  }

  /** Subscribes to host events; returns the unsubscribe function. */
  on(listener: HostEventListener): () => void {
    return this.state.events.on(listener);
  }

  /** Loads a patch (hotgo's LoadHP); resolves to its id. */
  loadHP(config: LoadConfig): Promise<string> {
    return this.ops.serialise("load", null, async () => {
      const parsed = parseLoadConfig(config);
      const bytes = parsed.hp_bytes ? toBytes(parsed.hp_bytes) : await this.readPatchFile(parsed.hp_file!);
      const prepared = preparePatch(this.state, bytes, parsed);
      const module = await compilePatch(prepared);
      return this.ops.guard("load", prepared.id, () => applyPatch(this.state, prepared, module));
    });
  }

  /** Loads a patch from bytes in one synchronous step (for use inside a call from Wasm). */
  loadHPSync(config: LoadConfig): string {
    return this.ops.exclusive("load", null, () => {
      const parsed = parseLoadConfig(config);
      if (!parsed.hp_bytes) throw new HotwasmError("E_INVALID_CONFIG", "loadHPSync needs hp_bytes");
      const prepared = preparePatch(this.state, toBytes(parsed.hp_bytes), parsed);
      return applyPatch(this.state, prepared, compilePatchSync(prepared));
    });
  }

  /** Unloads a patch (hotgo's UnloadHP). */
  unloadHP(id: string): Promise<UnloadResult> {
    return this.ops.serialise("unload", id, async () => unloadPatch(this.state, id));
  }

  /** Synchronous twin of `unloadHP`. */
  unloadHPSync(id: string): UnloadResult {
    return this.ops.exclusive("unload", id, () => unloadPatch(this.state, id));
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
      const prepared = preparePatch(this.state, bytes, { hp_file: request.config?.hp_file, replace_config, ref_config });
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

  /** The loaded patches, oldest first (hotgo's GetHPInfo); then unloaded ones the program may still use. */
  getHPInfo(): HPInfo[] {
    return describePatches(this.state);
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
}

async function compileBase(bytes: Uint8Array): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes as BufferSource);
  } catch (err) {
    throw new HotwasmError("E_INVALID_MODULE", `the base module does not compile: ${describeError(err)}`, { cause: err });
  }
}

/** Safepoint builds import `hotwasm.poll`; a single host has no world to stop, so it is a no-op. */
function withSafepointImport(module: WebAssembly.Module, imports: WebAssembly.Imports): WebAssembly.Imports {
  const polls = WebAssembly.Module.imports(module).some((i) => i.module === "hotwasm" && i.name === "poll");
  if (!polls || typeof (imports.hotwasm as Record<string, unknown> | undefined)?.poll === "function") return imports;
  return { ...imports, hotwasm: { ...imports.hotwasm, poll: () => {} } };
}

function withoutInternals(exports: Record<string, any>): Record<string, any> {
  for (const name of Object.keys(exports)) if (name.startsWith("hotwasm:")) delete exports[name];
  return exports;
}
