// Instances of released patches, held weakly for reuse. A module that keeps no state of its own
// (no start function, no data or element segments to apply, no memory, table, tag or mutable
// global of its own) gives an instance that a new instantiation with the same import values
// could not tell apart from a fresh one; loading the same bytes again (a rollback and re-apply, a
// toggled patch, churn) then skips making one. The collector may still take any of them.

import type { ModuleInfo } from "../wasm/wasm-reader.js";

/** The import values of a patch in import order, when its instances may be reused; else null. */
export function reusableImports(info: ModuleInfo, importObject: WebAssembly.Imports): WebAssembly.ImportValue[] | null {
  if (!holdsNoState(info)) return null;
  return info.imports.map((imp) => (importObject[imp.module] as Record<string, WebAssembly.ImportValue>)[imp.name]!);
}

/** Released instances by the SHA-256 of their module's bytes, with the import values they were made with. */
export class InstanceReuse {
  private readonly byDigest = new Map<string, { ref: WeakRef<WebAssembly.Instance>; imports: WebAssembly.ImportValue[] }>();

  constructor(private readonly limit = 16) {}

  /** Offers the instance of a released patch (made with `imports`, from `reusableImports`). */
  offer(digest: string, instance: WebAssembly.Instance, imports: WebAssembly.ImportValue[]): void {
    this.byDigest.delete(digest);
    if (this.byDigest.size >= this.limit) this.byDigest.delete(this.byDigest.keys().next().value!);
    this.byDigest.set(digest, { ref: new WeakRef(instance), imports });
  }

  /** Takes back an offered instance of `digest` made with exactly these import values, or null. */
  take(digest: string, imports: WebAssembly.ImportValue[]): WebAssembly.Instance | null {
    const entry = this.byDigest.get(digest);
    if (!entry) return null;
    // Invariant: an instance is in force at most once; taking it removes it.
    this.byDigest.delete(digest);
    const instance = entry.ref.deref();
    if (!instance || entry.imports.length !== imports.length) return null;
    for (let i = 0; i < imports.length; i++) if (entry.imports[i] !== imports[i]) return null;
    return instance;
  }
}

/** True when instantiation is all a module's instance state: nothing it runs or applies, nothing it owns that changes. */
function holdsNoState(info: ModuleInfo): boolean {
  if (info.start !== null || info.data.length > 0 || info.memories > 0 || info.tags > 0) return false;
  if (info.tables > info.importedTables || info.elements.some((e) => e.mode !== "declarative")) return false;
  const importedGlobals = info.imports.filter((i) => i.kind === "global").length;
  return info.globals.slice(importedGlobals).every((g) => !g.mutable);
}
