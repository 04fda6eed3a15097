// The value an import of a patch is bound to, once the checks (host/fit/resolve-import.ts) have
// said what it binds to: an export of the base, a placement value, the base's memory or table,
// or one of the base's own imports.

import type { Binding } from "../fit/fit-types.js";
import type { BaseView } from "./link-types.js";
import { ownValue } from "../model/symbol-map.js";

export { BASE_MODULE, LINK_MODULE } from "../fit/resolve-import.js";

/** The value for a binding. */
export function bindingValue(base: BaseView, binding: Binding): WebAssembly.ImportValue {
  switch (binding.kind) {
    case "export": return base.exports[binding.name] as WebAssembly.ImportValue;
    case "placement": return new WebAssembly.Global({ value: "i32", mutable: false }, binding.value);
    case "memory": return base.exports[base.manifest.memory.export] as WebAssembly.Memory;
    case "table": return base.exports[base.manifest.table.export] as WebAssembly.Table;
    case "base-import": return ownValue(ownValue(base.imports as Record<string, Record<string, WebAssembly.ImportValue>>, binding.module), binding.name)!;
  }
}
