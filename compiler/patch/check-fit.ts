// The last check before a patch is written: the base's own load checks (host/fit), run against
// the base's binary as a first load into a fresh host would run them. A patch the base would
// refuse is refused here with the load's code, and nothing is written.

import { HotwasmError, describeError } from "../../host/errors.js";
import { checkFirstLoad, readBaseBinary, type BaseBinary } from "../../host/fit/base-facts.js";

const bases = new Map<Uint8Array, BaseBinary>();

/** Throws the HotwasmError a load of `patch` into a fresh host of `base` would throw. */
export function checkPatchFits(base: Uint8Array, patch: Uint8Array): void {
  try {
    new WebAssembly.Module(patch as BufferSource);
  } catch (err) {
    throw new HotwasmError("E_INVALID_MODULE", `the patch does not compile: ${describeError(err)}`, { cause: err });
  }
  let read = bases.get(base);
  if (!read) {
    read = readBaseBinary(base);
    if (bases.size >= 4) bases.delete(bases.keys().next().value!);
    bases.set(base, read);
  }
  checkFirstLoad(read, patch);
}
