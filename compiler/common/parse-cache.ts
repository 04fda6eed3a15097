// Parses each source once per process: a diff compiles the same program twice (once to compare
// and cut, once for relocation), and the dev loop again on every save with only a file or two
// changed, while asc parses every file (the standard library's hundred included) on every run.
// Inside `withParseCache`, asc's parser takes a file whose path and text it parsed before from the
// cache: the same Source (asc does not change a parsed tree) and the same dependencies announced.

import { AsyncLocalStorage } from "node:async_hooks";
import { NodeKind, Parser, type Source } from "assemblyscript";

interface Cached { text: string; source: Source }
interface ParserState {
  sources: Source[];
  diagnostics: unknown[];
  donelog: Set<string>;
  seenlog: Set<string>;
  backlog: string[];
  dependees: Map<string, { source: Source; reportNode: unknown }>;
  currentSource: Source | null;
  currentModuleName: string | null;
}
interface StatementLike { kind: number; internalPath?: string; path?: unknown; members?: unknown[] | null }

const active = new AsyncLocalStorage<Map<string, Cached>>();
const cache = new Map<string, Cached>();
/** Files kept at most (the standard library is about a hundred). */
const LIMIT = 2000;

/** Runs `fn` with asc's parser taking unchanged files from the process's cache. */
export function withParseCache<T>(fn: () => Promise<T>): Promise<T> {
  install();
  return active.run(cache, fn);
}

let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const proto = Parser.prototype as unknown as { parseFile(text: string | null, path: string, isEntry: boolean): void };
  const original = proto.parseFile;
  proto.parseFile = function (this: ParserState, text: string | null, path: string, isEntry: boolean): void {
    const store = active.getStore();
    if (!store || text === null) return original.call(this, text, path, isEntry);
    const key = `${isEntry ? 1 : 0}\u0000${path}`;
    const hit = store.get(key);
    if (hit && hit.text === text) return replay(this, hit.source);
    const diagnostics = this.diagnostics.length;
    const sources = this.sources.length;
    original.call(this, text, path, isEntry);
    // Only a file that parsed cleanly is kept (a file with errors reports them each time).
    if (this.diagnostics.length === diagnostics && this.sources.length === sources + 1) {
      if (store.size >= LIMIT) store.delete(store.keys().next().value!);
      store.set(key, { text, source: this.sources[sources]! });
    }
  } as typeof proto.parseFile;
}

/** What parseFile does for a file, with the tree parsed before: the source, then each dependency as the parser announces it. */
function replay(parser: ParserState, source: Source): void {
  const internalPath = source.internalPath;
  if (parser.donelog.has(internalPath)) return;
  parser.donelog.add(internalPath);
  parser.seenlog.add(internalPath);
  (source as unknown as { debugInfoIndex: number }).debugInfoIndex = -1;
  parser.sources.push(source);
  parser.currentSource = source;
  parser.currentModuleName = null;
  for (const st of source.statements as unknown as StatementLike[]) {
    if (!st.internalPath || !st.path) continue;
    const announce = () => {
      parser.dependees.set(st.internalPath!, { source, reportNode: st.path });
      parser.backlog.push(st.internalPath!);
    };
    if (st.kind === NodeKind.Import) {
      if (!parser.seenlog.has(st.internalPath)) announce();
    } else if (st.kind === NodeKind.Export) {
      if (parser.seenlog.has(st.internalPath)) continue;
      announce();
      // `export { ... } from` marks the file seen; `export * from` does not.
      if (st.members) parser.seenlog.add(st.internalPath);
    }
  }
}
