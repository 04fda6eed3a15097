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
/** What `runHook` (host/lifecycle/hooks.ts) can run: a hook, or a patch's migration. */
export type PatchEntry = HookName | typeof MIGRATE_EXPORT;
