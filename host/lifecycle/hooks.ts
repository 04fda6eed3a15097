// Runs a patch's hook export, the initialisers of its new globals, or its migration (the same
// path, so the same guards apply). Each fails by returning a non-zero i32 or by trapping; one that
// does not return in time is interrupted by the host's runner (E_PATCH_TIMEOUT).

import { describeError, HotwasmError, isHotwasmError } from "../errors.js";
import { INIT_GLOBALS_EXPORT, MIGRATE_EXPORT, type PatchEntry } from "../model/hook-names.js";
import type { HostState } from "./host-state.js";
import { runDirectly, type PatchCodeRunner } from "./patch-code.js";

/** The outcome of one hook; `ran` is false when the patch does not export it. */
export interface HookOutcome {
  ran: boolean;
  ok: boolean;
  detail?: string;
  /** Set when the runner interrupted the hook (E_PATCH_TIMEOUT). */
  timeout?: HotwasmError;
}

/** Calls `name` on the patch instance if it exports it, through `run`. */
export function runHook(instance: WebAssembly.Instance, name: PatchEntry, run: PatchCodeRunner = runDirectly): HookOutcome {
  const fn = instance.exports[name];
  if (typeof fn !== "function") return { ran: false, ok: true };
  try {
    const result = run(name, fn as () => unknown);
    if (typeof result === "number" && result !== 0) return { ran: true, ok: false, detail: `returned ${result}` };
    return { ran: true, ok: true };
  } catch (err) {
    if (isHotwasmError(err) && err.code === "E_PATCH_TIMEOUT") return { ran: true, ok: false, detail: err.message, timeout: err };
    return { ran: true, ok: false, detail: `trapped: ${describeError(err)}` };
  }
}

/** What a load runs once before its swaps, in this order, and what each is called in an error. */
const LOAD_CODE: [PatchEntry, string][] = [[INIT_GLOBALS_EXPORT, "the initialisers of the patch's new globals"], [MIGRATE_EXPORT, "the patch's migration"]];

/**
 * Runs the initialisers of a patch's new globals, then its migration, reporting each as a "hook"
 * event. The first that fails throws E_MIGRATION_FAILED (or E_PATCH_TIMEOUT), after putting the
 * base's stack pointer back where it was (a trap leaves its frame allocated).
 */
export function runLoadCode(state: Pick<HostState, "events" | "runPatchCode" | "manifest" | "instance">, instance: WebAssembly.Instance, id: string): void {
  const sp = stackPointerOf(state);
  const saved = sp?.value as number | undefined;
  for (const [entry, what] of LOAD_CODE) {
    const outcome = runHook(instance, entry, state.runPatchCode);
    if (outcome.ran) state.events.emit({ type: "hook", hp_id: id, hook: entry, ok: outcome.ok, detail: outcome.detail });
    if (outcome.ok) continue;
    if (sp && saved !== undefined) sp.value = saved;
    if (outcome.timeout) throw new HotwasmError("E_PATCH_TIMEOUT", `${outcome.timeout.message}; the load was abandoned`, { details: { ...outcome.timeout.details, hp_id: id } });
    throw new HotwasmError("E_MIGRATION_FAILED", `${what} failed (${outcome.detail}); nothing was switched`, { details: { hp_id: id } });
  }
}

/** The base's shadow-stack pointer, when it exports it as a mutable global. */
export function stackPointerOf(state: Pick<HostState, "manifest" | "instance">): WebAssembly.Global | null {
  const g = state.manifest.globals.find((x) => x.name === "~lib/memory/__stack_pointer" && x.mutable);
  const value = g ? state.instance.exports[g.export] : undefined;
  return value instanceof WebAssembly.Global ? value : null;
}
