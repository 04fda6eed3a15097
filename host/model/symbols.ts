// Resolves the names people write ("main.func1", "Counter#inc", "assembly/index/func1") to the
// base's functions and globals, refusing unknown and ambiguous names with the candidates listed.

import { HotwasmError } from "../errors.js";
import type { Manifest, ManifestFunction, ManifestGlobal } from "./manifest.js";

/** A resolved symbol of the base. */
export type BaseSymbol =
  | { kind: "function"; name: string; fn: ManifestFunction }
  | { kind: "global"; name: string; global: ManifestGlobal };

/** Name lookup over a manifest's functions and globals. */
export class SymbolTable {
  private readonly byName = new Map<string, BaseSymbol>();
  private readonly entries: string[];
  /** Queries resolved before (the manifest never changes). */
  private readonly resolved = new Map<string, BaseSymbol>();

  constructor(manifest: Manifest) {
    for (const fn of manifest.functions) this.byName.set(fn.name, { kind: "function", name: fn.name, fn });
    for (const global of manifest.globals) {
      if (!this.byName.has(global.name)) this.byName.set(global.name, { kind: "global", name: global.name, global });
    }
    this.entries = manifest.entries;
  }

  /** All internal names. */
  names(): string[] {
    return [...this.byName.keys()];
  }

  /** Resolves `query`; throws E_UNKNOWN_SYMBOL or E_AMBIGUOUS_SYMBOL. */
  resolve(query: string): BaseSymbol {
    const known = this.resolved.get(query);
    if (known) return known;
    const matches = this.candidates(query);
    if (matches.length === 1) {
      const sym = this.byName.get(matches[0]!)!;
      if (this.resolved.size < 4096) this.resolved.set(query, sym);
      return sym;
    }
    if (matches.length > 1) {
      throw new HotwasmError("E_AMBIGUOUS_SYMBOL", `"${query}" matches ${matches.length} symbols: ${matches.join(", ")}`, {
        details: { symbol: query, candidates: matches },
      });
    }
    const hint = this.suggest(query);
    throw new HotwasmError("E_UNKNOWN_SYMBOL", `no symbol "${query}" in the base${hint ? ` (did you mean "${hint}"?)` : ""}`, {
      details: { symbol: query },
    });
  }

  /** Resolves `query` to a function; a global of that name is an E_IMPORT_KIND_MISMATCH. */
  resolveFunction(query: string): ManifestFunction {
    const sym = this.resolve(query);
    if (sym.kind !== "function") {
      throw new HotwasmError("E_IMPORT_KIND_MISMATCH", `"${query}" is a global (${sym.name}), not a function`, {
        details: { symbol: query },
      });
    }
    return sym.fn;
  }

  private candidates(query: string): string[] {
    if (this.byName.has(query)) return [query];
    const found = new Set<string>();
    if (query.startsWith("main.")) {
      const rest = query.slice(5);
      for (const entry of this.entries) if (this.byName.has(`${entry}/${rest}`)) found.add(`${entry}/${rest}`);
      if (found.size > 0) return [...found];
    }
    for (const name of this.byName.keys()) if (name.endsWith(`/${query}`)) found.add(name);
    // The program's own symbols win over the standard library's of the same name.
    const own = [...found].filter((n) => !n.startsWith("~lib/"));
    return (own.length > 0 ? own : [...found]).sort();
  }

  /** The closest name within a small edit distance; none for names longer than SUGGEST_MAX_LENGTH. */
  private suggest(query: string): string | null {
    const tail = query.replace(/^main\./, "").split("/").pop()!.toLowerCase();
    if (tail.length > SUGGEST_MAX_LENGTH) return null;
    let best: string | null = null;
    let limit = Math.max(2, Math.floor(tail.length / 3));
    for (const name of this.byName.keys()) {
      const short = name.split("/").pop()!.toLowerCase();
      const score = boundedEditDistance(tail, short, limit);
      if (score <= limit && (best === null || score < limit)) { best = name; limit = score; }
      if (limit === 0) break;
    }
    return best;
  }
}

/** Names longer than this get no suggestion (the search costs length squared per name). */
export const SUGGEST_MAX_LENGTH = 128;

/** The edit distance of `a` and `b`, or `limit + 1` as soon as it must exceed `limit`. */
function boundedEditDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    let smallest = row[0];
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
      if (row[j]! < smallest) smallest = row[j]!;
    }
    if (smallest > limit) return limit + 1;
  }
  return row[b.length]!;
}
