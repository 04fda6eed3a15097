// Runs a patch's hook export, or its migration (the same path, so the same guards apply). Either
// fails by returning a non-zero i32 or by trapping; one that does not return in time is
// interrupted by the host's runner (E_PATCH_TIMEOUT).

import { describeError, isHotwasmError, type HotwasmError } from "../errors.js";
import type { PatchEntry } from "../model/hook-names.js";
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
