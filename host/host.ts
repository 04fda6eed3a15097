// The Host: runs a patchable base build and hot-patches it (hotgo's LoadHP / UnloadHP / GetHPInfo).
// Operations are serialised: one load or unload at a time, in the order they were asked for.

import { instantiate as instantiateWithLoader } from "@assemblyscript/loader";
import { parseLoadConfig, type EffectiveConfig, type LoadConfig } from "./config.js";
import { HotwasmError, isHotwasmError, describeError } from "./errors.js";
import { EventHub, type HostEventListener } from "./events.js";
import type { HostState } from "./host-state.js";
import { applyPatch, compilePatch, compilePatchSync, preparePatch } from "./load-patch.js";
import { readManifest, type Manifest } from "./manifest.js";
import { defaultReadFile, toBytes, type ReadFile } from "./read-source.js";
import { SwapTable } from "./swap-table.js";
import { ArenaAllocator, TableAllocator } from "./placement.js";
import { RuntimeHooks } from "./runtime-hooks.js";
import { settleUnloaded } from "./release-patch.js";
import { SymbolTable } from "./symbols.js";
import { unloadPatch, type UnloadResult } from "./unload-patch.js";

/** Options of a Host. */
export interface HostOptions {
  /** How `hp_file` and a base path are read (default: the file system, or fetch in a browser). */
  readFile?: ReadFile;
  /** Largest patch accepted, in bytes (default 64 MiB). */
  maxPatchBytes?: number;
  /** Checks a patch's bytes before anything else reads or compiles them (signatures); throws to refuse. */
  verifyPatch?: (bytes: Uint8Array) => void;
}

/** One loaded patch as `getHPInfo` reports it: hotgo's HPInfo plus what hotwasm knows. */
export interface HPInfo {
  hp_id: string;
  config: EffectiveConfig;
  replaces: { symbol: string; export: string; in_force: boolean }[];
  refs: { name: string; symbol: string }[];
  order: number;
  loaded_at: string;
  sha256: string;
  size: number;
  /** "retained": unloaded, but kept because the program may still use its data or classes. */
  state: "loaded" | "retained";
  retained_reason?: string;
  /** Its static data in the patch arena. */
  data?: { start: number; end: number }[];
  /** Classes it adds to the base's. */
  classes?: string[];
}

/** A source of a module: bytes, a compiled module, or a path. */
export type ModuleSource = Uint8Array | ArrayBuffer | WebAssembly.Module | string;

/** Runs a patchable base build and applies patches to it. */
export class Host {
  /** The module's exports, demangled by @assemblyscript/loader, without hotwasm's own. */
  readonly exports: Record<string, any>;
  /** The base instance. */
  readonly instance: WebAssembly.Instance;
  /** The base build's manifest. */
  readonly manifest: Manifest;
  private readonly state: HostState;
  private readonly readFile: ReadFile;
  private queue: Promise<unknown> = Promise.resolve();
  /** Operations queued or running; a synchronous operation needs none. */
  private pending = 0;
  private busy = false;

  private constructor(state: HostState, exports: Record<string, any>, readFile: ReadFile) {
    this.state = state;
    this.instance = state.instance;
    this.manifest = state.manifest;
    this.exports = exports;
    this.readFile = readFile;
  }

  /** Compiles and instantiates a patchable base build. */
  static async instantiate(source: ModuleSource, imports: WebAssembly.Imports = {}, options: HostOptions = {}): Promise<Host> {
    const readFile = options.readFile ?? defaultReadFile;
    const bytesOrModule = typeof source === "string" ? await readFile(source) : source;
    const module = bytesOrModule instanceof WebAssembly.Module ? bytesOrModule : await compileBase(toBytes(bytesOrModule));
    const manifest = readManifest(module);
    const { instance, exports } = await instantiateWithLoader(module, imports as Record<string, any>);
    const table = instance.exports[manifest.table.export];
    if (!(table instanceof WebAssembly.Table)) throw new HotwasmError("E_NOT_PATCHABLE_BUILD", "the base does not export its table");
    const swap = new SwapTable(table);
    for (const fn of manifest.functions) {
      if (fn.slot === null) continue;
      const flag = instance.exports[fn.flag ?? ""];
      if (!(flag instanceof WebAssembly.Global)) throw new HotwasmError("E_NOT_PATCHABLE_BUILD", `the base does not export the flag of ${fn.name}`);
      swap.addSlot(fn.slot, flag);
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
    return this.serialise("load", null, async () => {
      const parsed = parseLoadConfig(config);
      const bytes = parsed.hp_bytes ? toBytes(parsed.hp_bytes) : await this.readPatchFile(parsed.hp_file!);
      const prepared = preparePatch(this.state, bytes, parsed);
      const module = await compilePatch(prepared);
      return this.guard("load", prepared.id, () => applyPatch(this.state, prepared, module));
    });
  }

  /** Loads a patch from bytes in one synchronous step (for use inside a call from Wasm). */
  loadHPSync(config: LoadConfig): string {
    return this.exclusive("load", null, () => {
      const parsed = parseLoadConfig(config);
      if (!parsed.hp_bytes) throw new HotwasmError("E_INVALID_CONFIG", "loadHPSync needs hp_bytes");
      const prepared = preparePatch(this.state, toBytes(parsed.hp_bytes), parsed);
      return applyPatch(this.state, prepared, compilePatchSync(prepared));
    });
  }

  /** Unloads a patch (hotgo's UnloadHP). */
  unloadHP(id: string): Promise<UnloadResult> {
    return this.serialise("unload", id, async () => unloadPatch(this.state, id));
  }

  /** Synchronous twin of `unloadHP`. */
  unloadHPSync(id: string): UnloadResult {
    return this.exclusive("unload", id, () => unloadPatch(this.state, id));
  }

  /** The loaded patches, oldest first (hotgo's GetHPInfo); then unloaded ones the program may still use. */
  getHPInfo(): HPInfo[] {
    return [...this.state.patches.values(), ...this.state.retained.values()]
      .sort((a, b) => Number(!!a.retained) - Number(!!b.retained) || a.order - b.order)
      .map((p) => ({
        hp_id: p.id,
        config: { hp_file: p.config.hp_file, replace_config: { ...p.config.replace_config }, ref_config: { ...p.config.ref_config } },
        replaces: p.replaces.map((r) => ({ symbol: r.symbol, export: r.export, in_force: this.state.swap.ownerAt(r.slot) === p.id })),
        refs: p.refs.map((r) => ({ ...r })),
        order: p.order,
        loaded_at: p.loadedAt.toISOString(),
        sha256: p.sha256,
        size: p.size,
        state: p.retained ? ("retained" as const) : ("loaded" as const),
        ...(p.retained ? { retained_reason: p.retained.reason } : {}),
        ...(p.dataRanges.length > 0 ? { data: p.dataRanges.map((r) => ({ ...r })) } : {}),
        ...(p.classes.length > 0 ? { classes: p.classes.map((c) => c.name) } : {}),
      }));
  }

  /** Checks the retained patches again; releases those the program no longer uses. Returns the ids still retained. */
  releaseRetained(): Promise<string[]> {
    return this.serialise("unload", null, async () => {
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

  private serialise<T>(action: "load" | "unload", id: string | null, op: () => Promise<T>): Promise<T> {
    this.pending++;
    const run = async () => {
      try {
        return await this.guard(action, id, op);
      } finally {
        this.pending--;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private exclusive<T>(action: "load" | "unload", id: string | null, op: () => T): T {
    if (this.busy || this.pending > 0) throw new HotwasmError("E_BUSY", `another load or unload is running; ${action} it again after it ends`);
    this.busy = true;
    try {
      return this.guard(action, id, op);
    } finally {
      this.busy = false;
    }
  }

  /** Emits a "refused" event for every HotwasmError that leaves an operation (once). */
  private guard<T>(action: "load" | "unload", id: string | null, op: () => T): T {
    const report = (err: unknown) => {
      if (isHotwasmError(err) && !reported.has(err)) {
        reported.add(err);
        const hpId = id ?? (typeof err.details.hp_id === "string" ? err.details.hp_id : null);
        this.state.events.emit({ type: "refused", action, hp_id: hpId, code: err.code, message: err.message });
      }
      throw err;
    };
    try {
      const out = op();
      return (out instanceof Promise ? out.catch(report) : out) as T;
    } catch (err) {
      return report(err);
    }
  }
}

const reported = new WeakSet<object>();

async function compileBase(bytes: Uint8Array): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes as BufferSource);
  } catch (err) {
    throw new HotwasmError("E_INVALID_MODULE", `the base module does not compile: ${describeError(err)}`, { cause: err });
  }
}

function withoutInternals(exports: Record<string, any>): Record<string, any> {
  for (const name of Object.keys(exports)) if (name.startsWith("hotwasm:")) delete exports[name];
  return exports;
}
