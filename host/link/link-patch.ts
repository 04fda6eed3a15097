// Checks a patch against the running base (host/fit/check-patch.ts, the same checks a patch build
// runs before it writes a patch) and works out how to bind it, without changing anything.
// Returns a plan to instantiate and commit, or throws the first problem with all of them attached.

import type { EffectiveConfig } from "../model/config.js";
import type { PatchMeta } from "../model/patch-meta.js";
import type { ModuleInfo } from "../wasm/wasm-reader.js";
import { checkPatch } from "../fit/check-patch.js";
import { ownValue } from "../model/symbol-map.js";

export { checkMemories, MAX_PROBLEMS } from "../fit/check-patch.js";
import type { BaseFacts } from "../fit/fit-types.js";
import { bindingValue } from "./bind-import.js";
import type { BaseView, LinkPlan } from "./link-types.js";

/** Checks the patch; returns the plan or throws (first problem, all in `details.problems`). */
export function linkPatch(base: BaseView, patch: ModuleInfo, meta: PatchMeta | null, config: EffectiveConfig): LinkPlan {
  const plan = checkPatch(factsOf(base), patch, meta, config);
  const importObject: Record<string, Record<string, WebAssembly.ImportValue>> = Object.create(null);
  patch.imports.forEach((imp, i) => {
    (importObject[imp.module] ??= Object.create(null) as Record<string, WebAssembly.ImportValue>)[imp.name] = bindingValue(base, plan.bindings[i]!);
  });
  return { importObject, replacements: plan.replacements, refs: plan.refs, dataRanges: plan.dataRanges };
}

/** What the checks read of a running host. */
function factsOf(base: BaseView): BaseFacts {
  return {
    manifest: base.manifest,
    symbols: base.symbols,
    baseImport: (module, name) => {
      // Own properties only: "constructor", "__proto__" or "toString" must never reach Object and its methods.
      const value = ownValue(ownValue(base.imports as Record<string, Record<string, unknown>>, module), name);
      return value === undefined ? undefined : typeof value === "function" ? "function" : "value";
    },
    arenaOwner: (start, end) => base.arena.overlapping(start, end),
    classConflict: (classes) => base.hooks.conflict(classes),
    placement: base.placement,
  };
}
