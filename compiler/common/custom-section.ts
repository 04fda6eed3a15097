// Custom sections of a binary: appending one (the implementation lives in the host: signing needs
// it too), and reading them without compiling the module (a base is read several times per diff).

import { readModule } from "../../host/wasm/wasm-reader.js";

export { appendCustomSection } from "../../host/wasm/wasm-sections.js";

const read = new WeakMap<Uint8Array, { name: string; bytes: Uint8Array }[]>();

/** The contents of every custom section called `name`, in order. */
export function customSectionsOf(binary: Uint8Array, name: string): Uint8Array[] {
  let custom = read.get(binary);
  if (!custom) {
    custom = readModule(binary).custom;
    read.set(binary, custom);
  }
  return custom.filter((c) => c.name === name).map((c) => c.bytes);
}
