// Loading one patch: identify it, check it against the base, instantiate it, run the hooks and
// its migration, and commit its swaps all or nothing. Every step before `commitSwap` leaves the
// program's behaviour untouched (the collector learns the patch's classes and roots early, so
// that its init, the initialisers of its new globals and its migration may allocate), but for
// what its migration does to the state.

import { effectiveConfig, type EffectiveConfig, type LoadConfig, type TrapPolicy } from "../model/config.js";
import { HotwasmError, describeError } from "../errors.js";
import type { LoadTimings } from "../model/events.js";
import { runHook, runLoadCode } from "./hooks.js";
import type { HostState, LoadedPatch } from "./host-state.js";
import { checkMemories, linkPatch } from "../link/link-patch.js";
import type { HookMember, LinkPlan } from "../link/link-types.js";
import { choosePlacement, finishPlacement, type Placement } from "./place-patch.js";
import type { PatchMeta } from "../model/patch-meta.js";
import type { ModuleInfo } from "../wasm/wasm-reader.js";
import { identifyPatch, patchIdOf } from "../link/patch-identity.js";
import { checkSignedConfig } from "../link/patch-signature.js";
import { syncTrampolines } from "./revoke-patch.js";
import { reusableImports } from "./instance-reuse.js";

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
  policy?: TrapPolicy;
  /** Re-applied from a state directory at start-up. */
  restored?: boolean;
}

/** What `preparePatch` checks against: the size limit and the ids in force (a Host's or a pool's). */
export type PatchRegistry = Pick<HostState, "maxPatchBytes"> & Partial<Pick<HostState, "verifyPatch">> & { patches: { has(id: string): boolean } };

/** Reads and identifies a patch; refuses oversize, unverified, unreadable and already loaded ones. */
export function preparePatch(state: PatchRegistry, bytes: Uint8Array, config: LoadConfig): PreparedPatch {
  const started = performance.now();
  if (bytes.length > state.maxPatchBytes) {
    throw new HotwasmError("E_PATCH_TOO_LARGE", `the patch has ${bytes.length} bytes; the limit is ${state.maxPatchBytes}`);
  }
  const verified = state.verifyPatch?.(bytes);
  const { info, meta, sha256: digest } = identifyPatch(bytes);
  checkMemories(info, (code, message) => { throw new HotwasmError(code, message); });
  const effective = effectiveConfig(config, meta);
  // The signature covers the config too: a signed patch loads only with the maps its signer allowed.
  if (verified) checkSignedConfig(verified.config, effective);
  const id = patchIdOf(digest, effective);
  if (state.patches.has(id)) {
    throw new HotwasmError("E_ALREADY_LOADED", `the same patch and config are already loaded as ${id}`, { details: { hp_id: id } });
  }
  const timings = { validate: performance.now() - started, compile: 0, instantiate: 0, commit: 0 };
  return { id, sha256: digest, bytes, info, meta, config: effective, timings, ...(config.policy ? { policy: { ...config.policy } } : {}) };
}

/** Patches up to this size compile synchronously: handing a tiny module to a compile thread costs far more than compiling it. */
export const SYNC_COMPILE_BYTES = 4096;

/** Compiles prepared bytes, turning engine errors into E_INVALID_MODULE. */
export async function compilePatch(prepared: PreparedPatch): Promise<WebAssembly.Module> {
  if (prepared.bytes.length <= SYNC_COMPILE_BYTES) return compilePatchSync(prepared);
  const started = performance.now();
  try {
    return await WebAssembly.compile(prepared.bytes as BufferSource);
  } catch (err) {
    throw new HotwasmError("E_INVALID_MODULE", `the patch does not compile: ${describeError(err)}`, { cause: err });
  } finally {
    prepared.timings.compile = performance.now() - started;
  }
}

/** Recently compiled small patches by SHA-256: reloading a patch (churn) skips compilation. */
const recentModules = new Map<string, WebAssembly.Module>();
const RECENT_LIMIT = 16;

/** Synchronous twin of `compilePatch`. */
export function compilePatchSync(prepared: PreparedPatch): WebAssembly.Module {
  const started = performance.now();
  try {
    const cached = recentModules.get(prepared.sha256);
    if (cached) return cached;
    const module = new WebAssembly.Module(prepared.bytes as BufferSource);
    if (prepared.bytes.length <= SYNC_COMPILE_BYTES) {
      if (recentModules.size >= RECENT_LIMIT) recentModules.delete(recentModules.keys().next().value!);
      recentModules.set(prepared.sha256, module);
    }
    return module;
  } catch (err) {
    throw new HotwasmError("E_INVALID_MODULE", `the patch does not compile: ${describeError(err)}`, { cause: err });
  } finally {
    prepared.timings.compile = performance.now() - started;
  }
}

/** Links, instantiates, runs the hooks and commits. Synchronous: no Wasm runs in between. */
export function applyPatch(state: HostState, prepared: PreparedPatch, module: WebAssembly.Module): string {
  return stagePatch(state, prepared, module).commit();
}

/** A load that passed every check, is instantiated and passed HPBeforeLoad, but is not in force. */
export interface StagedPatch {
  id: string;
  /** Puts it in force and runs HPAfterLoad; a failing hook rolls it back and throws E_HOOK_FAILED. */
  commit(): string;
  /** Drops it: frees the table slots it was given. */
  discard(): void;
}

/**
 * Phase 1 of a load: place, link, instantiate, the collector's hooks, relocate and init,
 * load-begin, HPBeforeLoad (a veto throws E_HOOK_VETO), the new globals' initialisers and the
 * migration (a failure throws E_MIGRATION_FAILED).
 */
export function stagePatch(state: HostState, prepared: PreparedPatch, module: WebAssembly.Module): StagedPatch {
  const { id, meta, timings } = prepared;
  let mark = performance.now();
  const placement = choosePlacement(state, meta);
  const plan = linkPatch(viewOf(state, placement), prepared.info, meta, prepared.config);
  timings.validate += performance.now() - mark;
  mark = performance.now();
  // Invariant: loads are serialised, so the slots peeked by choosePlacement are still free.
  if (placement) state.tables.take(placement.tableCount, id);
  const discard = () => {
    state.hooks.detach(id);
    state.tables.release(id);
  };
  let instance: WebAssembly.Instance;
  const reusable = placement ? null : reusableImports(prepared.info, plan.importObject);
  try {
    instance = (reusable && state.reuse.take(prepared.sha256, reusable)) || new WebAssembly.Instance(module, plan.importObject);
    // Its classes, roots and shadow entries are known to the collector before any of its code runs.
    if (meta?.link) state.hooks.attach(hookMemberOf(id, instance, meta, plan.dataRanges));
    if (placement) finishPlacement(state, instance, meta!, placement);
  } catch (err) {
    discard();
    if (err instanceof HotwasmError) throw err;
    throw new HotwasmError("E_INSTANTIATE_FAILED", `the patch could not be instantiated: ${describeError(err)}`, { cause: err });
  }
  // The exports' JS functions are made now, in phase 1: making them was two thirds of a commit.
  const fns = plan.replacements.map((r) => instance.exports[r.exportName] as Function);
  timings.instantiate = performance.now() - mark;
  state.events.emit({ type: "load-begin", hp_id: id });
  const before = runHook(instance, "HPBeforeLoad", state.runPatchCode);
  if (before.ran) state.events.emit({ type: "hook", hp_id: id, hook: "HPBeforeLoad", ok: before.ok, detail: before.detail });
  if (!before.ok) {
    discard();
    if (before.timeout) throw new HotwasmError("E_PATCH_TIMEOUT", `${before.timeout.message}; the load was abandoned`, { details: { ...before.timeout.details, hp_id: id } });
    throw new HotwasmError("E_HOOK_VETO", `HPBeforeLoad refused the load (${before.detail})`, { details: { hp_id: id } });
  }
  // The new globals' initialisers, then the migration, run once, before any of its functions is reachable from the program.
  try {
    runLoadCode(state, instance, id);
  } catch (err) {
    discard();
    throw err;
  }
  const record: LoadedPatch = {
    id, config: prepared.config, instance, refs: plan.refs, dataRanges: plan.dataRanges,
    replaces: plan.replacements.map((r) => ({ symbol: r.target.name, export: r.exportName, slot: r.target.slot! })),
    tableRange: placement && placement.tableCount > 0 ? { start: placement.tableBase, count: placement.tableCount } : null,
    classes: meta?.link?.classes ?? [], loadedAt: new Date(), order: 0, sha256: prepared.sha256, size: prepared.bytes.length,
    ...(meta?.link?.shadow_fields ? { shadow: { fields: meta.link.shadow_fields, entries: shadowCounter(instance) } } : {}),
    ...(prepared.policy ? { policy: prepared.policy } : {}), ...(reusable ? { reusable } : {}), traps: { times: [], total: 0 },
  };
  return { id, commit: () => commitPatch(state, record, { plan, fns }, timings, !!prepared.restored), discard };
}

/** Takes a committed patch out again without hooks (HPAfterLoad failed, or a pool's other worker did). */
export function rollBackPatch(state: HostState, id: string, reason: string): void {
  state.swap.revert(id);
  state.hooks.detach(id);
  state.arena.release(id);
  state.tables.release(id);
  state.patches.delete(id);
  state.guard.release(id);
  syncTrampolines(state);
  state.events.emit({ type: "rollback", hp_id: id, reason });
}

/** Phase 2 of a load: commit the swaps, then HPAfterLoad. */
function commitPatch(state: HostState, record: LoadedPatch, swap: SwapPlan, timings: LoadTimings, restored: boolean): string {
  const { id } = record;
  const mark = performance.now();
  if (record.policy) syncTrampolines(state, true);
  commitSwap(state, record, swap);
  timings.commit = performance.now() - mark;
  state.events.emit({ type: "commit", hp_id: id, targets: record.replaces.map((r) => r.symbol) });
  const after = runHook(record.instance, "HPAfterLoad", state.runPatchCode);
  if (after.ran) state.events.emit({ type: "hook", hp_id: id, hook: "HPAfterLoad", ok: after.ok, detail: after.detail });
  if (!after.ok) {
    rollBackPatch(state, id, `HPAfterLoad ${after.detail}`);
    if (after.timeout) throw new HotwasmError("E_PATCH_TIMEOUT", `${after.timeout.message}; the load was rolled back`, { details: { ...after.timeout.details, hp_id: id } });
    throw new HotwasmError("E_HOOK_FAILED", `HPAfterLoad failed (${after.detail}); the load was rolled back`, { details: { hp_id: id } });
  }
  record.order = state.nextOrder++;
  record.loadedAt = new Date();
  state.patches.set(id, record);
  state.history.delete(id);
  state.events.emit({ type: "loaded", hp_id: id, timings: Object.assign({}, timings), ...(restored ? { restored: true as const } : {}) });
  return id;
}

/** The link plan and the replacements' functions (`fns[i]` for `plan.replacements[i]`). */
interface SwapPlan {
  plan: LinkPlan;
  fns: Function[];
}

/** Puts the patch in force in one step: its replacements and its arena range (its runtime hooks are in already). */
function commitSwap(state: HostState, record: LoadedPatch, { plan, fns }: SwapPlan): void {
  // While a patch with a policy is loaded, every replacement runs behind a trampoline naming its patch.
  state.swap.commit(record.id, plan.replacements.map((r, i) => {
    const raw = fns[i]!;
    return { slot: r.target.slot!, fn: state.guard.wrap(record.id, raw, r.target), raw };
  }));
  for (const r of record.dataRanges) state.arena.take(r.start, r.end, record.id);
}

function shadowCounter(instance: WebAssembly.Instance): (() => number) | null {
  const fn = instance.exports["hotwasm:shadow_entries"];
  return typeof fn === "function" ? (fn as () => number) : null;
}

/** What a placed patch brings to the collector: classes, visitors, RTTI, free-object hook. */
function hookMemberOf(id: string, instance: WebAssembly.Instance, meta: PatchMeta, dataRanges: { start: number }[]): HookMember {
  const exports = instance.exports;
  const link = meta.link!;
  const chained = (fn: string, next: string) => {
    const f = exports[fn];
    return typeof f === "function" ? { fn: f, next: exports[next] as WebAssembly.Global } : null;
  };
  return {
    id,
    classes: link.classes,
    rttiAddress: link.rtti_offset === null ? null : dataRanges[0]!.start + link.rtti_offset,
    visitMembers: (exports["hotwasm:visit_members"] as Function | undefined) ?? null,
    visitGlobals: chained("hotwasm:visit_globals", "hotwasm:visit_next"),
    finalize: chained("hotwasm:finalize", "hotwasm:finalize_next"),
  };
}

function viewOf(state: HostState, placement: Placement | null) {
  return {
    manifest: state.manifest, symbols: state.symbols, exports: state.instance.exports, imports: state.imports,
    arena: state.arena, hooks: state.hooks, placement: placement && { memoryBase: placement.memoryBase, tableBase: placement.tableBase },
  };
}
