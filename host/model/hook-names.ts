// The names of a patch's four hook exports (hotgo's), shared by the linker, the host's events and
// the patch compiler.

/** The four hooks of hotgo, in the order they can run. */
export const HOOK_NAMES = ["HPBeforeLoad", "HPAfterLoad", "HPBeforeUnload", "HPAfterUnload"] as const;
/** A hook name. */
export type HookName = (typeof HOOK_NAMES)[number];

/** The base's free-object hook (compiler/common/finalize-hook.ts): the collector calls it per freed object. */
export const FINALIZE_FUNCTION = "~hotwasm/finalize/__finalize";
/** The export of a patch's migration (`// @hotwasm-migrate`), run once at load before its code is reachable. */
export const MIGRATE_EXPORT = "hotwasm:migrate";
/** The export of a diff patch's initialisers of its new globals, run once at load right before its migration. */
export const INIT_GLOBALS_EXPORT = "hotwasm:init_globals";
/** What `runHook` (host/lifecycle/hooks.ts) can run: a hook, a patch's initialisers of new globals, or its migration. */
export type PatchEntry = HookName | typeof INIT_GLOBALS_EXPORT | typeof MIGRATE_EXPORT;
