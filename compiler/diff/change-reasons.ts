// Why a changed function is in a patch, for people reading a diff's summary: its own declaration
// was edited; it inlines (`@inline`) a function that was; only the static data it uses changed;
// or else something it depends on compiles differently (a constant, a type, a callee's signature).

import type { Fingerprint, FunctionPrint } from "./fingerprint.js";

/** The reason `name` changed, as one short phrase. */
export function reasonOf(name: string, before: FunctionPrint, now: FunctionPrint, base: Fingerprint, edited: Fingerprint): string {
  const was = base.declarations.get(name);
  const is = edited.declarations.get(name);
  if (was !== undefined && is !== undefined && was !== is) return "edited";
  // Library functions have no declaration digest: they cannot have been edited.
  const inlined = now.inlined.filter((f) => edited.declarations.has(f) && base.declarations.get(f) !== edited.declarations.get(f));
  if (inlined.length > 0) return `inlines an edited function: ${inlined.join(", ")}`;
  if (before.shape === now.shape) return "uses new data";
  if (was === undefined || is === undefined) return "edited";
  return "compiles differently: a declaration it uses changed";
}
