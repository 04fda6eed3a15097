// The names of a patch's four hook exports (hotgo's), shared by the linker, the host's events and
// the patch compiler.

/** The four hooks of hotgo, in the order they can run. */
export const HOOK_NAMES = ["HPBeforeLoad", "HPAfterLoad", "HPBeforeUnload", "HPAfterUnload"] as const;
/** A hook name. */
export type HookName = (typeof HOOK_NAMES)[number];
