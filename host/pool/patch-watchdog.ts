// A watchdog for patch code run during a load or unload (hooks, a patch's initialisation): the
// code runs through node:vm with a timeout, whose V8 TerminateExecution stops JavaScript and
// WebAssembly alike, so a hook that loops forever costs one bounded wait, not the process.
// Node only: the host core takes it as HostOptions.runPatchCode (browsers run patch code directly).

import { createContext, Script } from "node:vm";
import { HotwasmError } from "../errors.js";
import type { PatchCodeRunner } from "../lifecycle/patch-code.js";

/** Default bound of patch code run during one load or unload step, in ms. */
export const DEFAULT_PATCH_TIMEOUT_MS = 10_000;

/** A runner that interrupts patch code after `timeoutMs` and throws E_PATCH_TIMEOUT. */
export function createPatchWatchdog(timeoutMs: number = DEFAULT_PATCH_TIMEOUT_MS): PatchCodeRunner {
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 2 ** 31 - 1) {
    throw new HotwasmError("E_INVALID_OPTION", `the patch timeout must be a whole number of ms from 1 to ${2 ** 31 - 1}, not ${String(timeoutMs)}`);
  }
  // One context and one compiled script for every call: the function to run goes through a slot.
  const slot: { run: (() => unknown) | null } = { run: null };
  const context = createContext(slot);
  const script = new Script("run()", { filename: "hotwasm-patch-watchdog" });
  return <T>(what: string, fn: () => T): T => {
    slot.run = fn;
    try {
      return script.runInContext(context, { timeout: timeoutMs }) as T;
    } catch (err) {
      if ((err as { code?: unknown } | null)?.code === "ERR_SCRIPT_EXECUTION_TIMEOUT") {
        throw new HotwasmError("E_PATCH_TIMEOUT", `${what} did not return within ${timeoutMs} ms; it was interrupted`, { details: { timeout_ms: timeoutMs } });
      }
      throw err;
    } finally {
      slot.run = null;
    }
  };
}
