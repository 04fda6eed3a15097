// Loading one patch: identify it, check it against the base, instantiate it, run the hooks and
// commit its swaps all or nothing. Every step before `commitSwap` leaves the program untouched.

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { canonicalMaps, effectiveConfig, type EffectiveConfig, type LoadConfig } from "./config.js";
import { HotwasmError, describeError } from "./errors.js";
import type { LoadTimings } from "./events.js";
import { runHook } from "./hooks.js";
import type { HostState, LoadedPatch } from "./host-state.js";
import { linkPatch, type LinkPlan } from "./link-patch.js";
import { readPatchMeta, type PatchMeta } from "./patch-meta.js";
import { readModule, WasmReadError, type ModuleInfo } from "./wasm-reader.js";

/** A patch that has been read and identified but not yet compiled. */
export interface PreparedPatch {
  id: string;
  sha256: string;
  bytes: Uint8Array;
  info: ModuleInfo;
  meta: PatchMeta | null;
  config: EffectiveConfig;
  /** Time spent so far in each phase, in ms. */
  timings: LoadTimings;
}

/** Reads and identifies a patch; refuses oversize, unreadable and already loaded ones. */
export function preparePatch(state: HostState, bytes: Uint8Array, config: LoadConfig): PreparedPatch {
  const started = performance.now();
  if (bytes.length > state.maxPatchBytes) {
    throw new HotwasmError("E_PATCH_TOO_LARGE", `the patch has ${bytes.length} bytes; the limit is ${state.maxPatchBytes}`);
  }
  let info: ModuleInfo;
  try {
    info = readModule(bytes);
  } catch (err) {
    if (err instanceof WasmReadError) throw new HotwasmError("E_INVALID_MODULE", `not a valid WebAssembly module: ${err.message}`, { cause: err });
    throw err;
  }
  const meta = readPatchMeta(info);
  const effective = effectiveConfig(config, meta);
  const digest = bytesToHex(sha256(bytes));
  const id = bytesToHex(sha256(new TextEncoder().encode(`${digest}\n${canonicalMaps(effective)}`)));
  if (state.patches.has(id)) {
    throw new HotwasmError("E_ALREADY_LOADED", `the same patch and config are already loaded as ${id}`, { details: { hp_id: id } });
  }
  const timings = { validate: performance.now() - started, compile: 0, instantiate: 0, commit: 0 };
  return { id, sha256: digest, bytes, info, meta, config: effective, timings };
}

/** Compiles prepared bytes, turning engine errors into E_INVALID_MODULE. */
export async function compilePatch(prepared: PreparedPatch): Promise<WebAssembly.Module> {
  const started = performance.now();
  try {
    return await WebAssembly.compile(prepared.bytes as BufferSource);
  } catch (err) {
    throw new HotwasmError("E_INVALID_MODULE", `the patch does not compile: ${describeError(err)}`, { cause: err });
  } finally {
    prepared.timings.compile = performance.now() - started;
  }
}

/** Synchronous twin of `compilePatch`. */
export function compilePatchSync(prepared: PreparedPatch): WebAssembly.Module {
  const started = performance.now();
  try {
    return new WebAssembly.Module(prepared.bytes as BufferSource);
  } catch (err) {
    throw new HotwasmError("E_INVALID_MODULE", `the patch does not compile: ${describeError(err)}`, { cause: err });
  } finally {
    prepared.timings.compile = performance.now() - started;
  }
}

/** Links, instantiates, runs the hooks and commits. Synchronous: no Wasm runs in between. */
export function applyPatch(state: HostState, prepared: PreparedPatch, module: WebAssembly.Module): string {
  const { id, timings } = prepared;
  let mark = performance.now();
  const plan = linkPatch(viewOf(state), prepared.info, prepared.meta, prepared.config);
  timings.validate += performance.now() - mark;
  mark = performance.now();
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, plan.importObject);
  } catch (err) {
    throw new HotwasmError("E_INSTANTIATE_FAILED", `the patch could not be instantiated: ${describeError(err)}`, { cause: err });
  }
  timings.instantiate = performance.now() - mark;
  state.events.emit({ type: "load-begin", hp_id: id });
  const before = runHook(instance, "HPBeforeLoad");
  if (before.ran) state.events.emit({ type: "hook", hp_id: id, hook: "HPBeforeLoad", ok: before.ok, detail: before.detail });
  if (!before.ok) throw new HotwasmError("E_HOOK_VETO", `HPBeforeLoad refused the load (${before.detail})`, { details: { hp_id: id } });

  const replaces = plan.replacements.map((r) => ({ symbol: r.target.name, export: r.exportName, slot: r.target.slot! }));
  mark = performance.now();
  commitSwap(state, id, instance, plan);
  timings.commit = performance.now() - mark;
  state.events.emit({ type: "commit", hp_id: id, targets: replaces.map((r) => r.symbol) });

  const after = runHook(instance, "HPAfterLoad");
  if (after.ran) state.events.emit({ type: "hook", hp_id: id, hook: "HPAfterLoad", ok: after.ok, detail: after.detail });
  if (!after.ok) {
    state.swap.revert(id);
    state.events.emit({ type: "rollback", hp_id: id, reason: `HPAfterLoad ${after.detail}` });
    throw new HotwasmError("E_HOOK_FAILED", `HPAfterLoad failed (${after.detail}); the load was rolled back`, { details: { hp_id: id } });
  }
  const record: LoadedPatch = {
    id, config: prepared.config, instance, replaces, refs: plan.refs, dataRanges: plan.dataRanges,
    loadedAt: new Date(), order: state.nextOrder++, sha256: prepared.sha256, size: prepared.bytes.length,
  };
  state.patches.set(id, record);
  state.events.emit({ type: "loaded", hp_id: id, timings: Object.assign({}, timings) });
  return id;
}

/** Writes every replacement of `plan` into the base's table in one step. */
function commitSwap(state: HostState, id: string, instance: WebAssembly.Instance, plan: LinkPlan): void {
  const writes = plan.replacements.map((r) => ({ slot: r.target.slot!, fn: instance.exports[r.exportName] as Function }));
  state.swap.commit(id, writes);
}

function viewOf(state: HostState) {
  const arenaInUse = [...state.patches.values()].flatMap((p) => p.dataRanges.map((r) => ({ ...r, owner: p.id })));
  return { manifest: state.manifest, symbols: state.symbols, exports: state.instance.exports, imports: state.imports, arenaInUse };
}
