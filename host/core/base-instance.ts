// Instantiating a patchable base build: its manifest, its table slots and flags, the state the
// Host keeps, and its exports (demangled, without hotwasm's own, watched for failures under patches).

import { instantiate as instantiateWithLoader } from "@assemblyscript/loader";
import { HotwasmError, describeError } from "../errors.js";
import { EventHub } from "../model/events.js";
import type { HostState } from "../lifecycle/host-state.js";
import { InstanceReuse } from "../lifecycle/instance-reuse.js";
import { runDirectly } from "../lifecycle/patch-code.js";
import type { HostOptions, ModuleSource } from "./host-options.js";
import { readManifest } from "../model/manifest.js";
import { ArenaAllocator, TableAllocator } from "../link/placement.js";
import { defaultReadFile, toBytes, type ReadFile } from "./read-source.js";
import { RuntimeHooks } from "../lifecycle/runtime-hooks.js";
import { SwapTable } from "../lifecycle/swap-table.js";
import { SymbolTable } from "../model/symbols.js";
import { TrapGuard, type TrapListener } from "../traps/trap-guard.js";

/** Compiles and instantiates the base; `onTrap` hears of failures attributed to patches. */
export async function instantiateBase(source: ModuleSource, imports: WebAssembly.Imports, options: HostOptions, onTrap: TrapListener) {
  const readFile: ReadFile = options.readFile ?? defaultReadFile;
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
    swap.addSlot(fn.slot, flag);
  }
  const tables = new TableAllocator(table);
  const guard = new TrapGuard(onTrap);
  const state: HostState = {
    manifest, symbols: new SymbolTable(manifest), instance, imports, swap, events: new EventHub(),
    patches: new Map(), retained: new Map(), arena: new ArenaAllocator(manifest.arena.start, manifest.arena.size),
    tables, hooks: new RuntimeHooks(manifest, instance.exports, swap, table, tables),
    nextOrder: 1, maxPatchBytes: options.maxPatchBytes ?? 64 * 1024 * 1024,
    verifyPatch: options.verifyPatch, guard, history: new Map(), reuse: new InstanceReuse(), store: null, now: options.now ?? Date.now,
    runPatchCode: options.runPatchCode ?? runDirectly,
  };
  return { state, exports: watchExports(withoutInternals(exports as Record<string, any>), guard, argumentsLengthSetter(instance.exports)), readFile };
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

/** The exports with every function watched for failures under a patch. */
function watchExports(exports: Record<string, any>, guard: TrapGuard, setLength: (n: number) => void): Record<string, any> {
  for (const [name, value] of Object.entries(exports)) if (typeof value === "function") exports[name] = guard.watch(value as Function, setLength);
  return exports;
}

/** How @assemblyscript/loader tells a call's argument count to the module (optional parameters). */
function argumentsLengthSetter(raw: WebAssembly.Exports): (n: number) => void {
  const global = raw["__argumentsLength"];
  if (global instanceof WebAssembly.Global) return (n) => { global.value = n; };
  const fn = raw["__setArgumentsLength"] ?? raw["__setargc"];
  return typeof fn === "function" ? (fn as (n: number) => void) : () => {};
}
