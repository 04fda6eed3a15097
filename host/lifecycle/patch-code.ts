// How a host runs patch code during a load or unload (hooks, a patch's initialisation): directly
// by default; under a watchdog where the platform has one (hotwasm/node's createPatchWatchdog).

/** Runs `fn` (patch code named `what`) and returns its result; may throw E_PATCH_TIMEOUT instead. */
export type PatchCodeRunner = <T>(what: string, fn: () => T) => T;

/** Runs patch code with no bound (browsers, and hosts given no watchdog). */
export const runDirectly: PatchCodeRunner = (_what, fn) => fn();
