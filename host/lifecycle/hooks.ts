// Runs a patch's hook export, or its migration (the same path, so the same guards apply). Either
// fails by returning a non-zero i32 or by trapping.

import { describeError } from "../errors.js";
import type { PatchEntry } from "../model/hook-names.js";

/** The outcome of one hook; `ran` is false when the patch does not export it. */
export interface HookOutcome {
  ran: boolean;
  ok: boolean;
  detail?: string;
}

/** Calls `name` on the patch instance if it exports it. */
export function runHook(instance: WebAssembly.Instance, name: PatchEntry): HookOutcome {
  const fn = instance.exports[name];
  if (typeof fn !== "function") return { ran: false, ok: true };
  try {
    const result = (fn as () => unknown)();
    if (typeof result === "number" && result !== 0) return { ran: true, ok: false, detail: `returned ${result}` };
    return { ran: true, ok: true };
  } catch (err) {
    return { ran: true, ok: false, detail: `trapped: ${describeError(err)}` };
  }
}
