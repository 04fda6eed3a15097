// A patch reaches the app's module-private globals and functions by their own names: it imports
// them from the app's module as if they were exported (`import { count } from "../assembly/index"`).
// After parsing, every name the patch imports that the app's module declares without `export` is
// flagged exported, so the import resolves to the app's own element; once the program is
// initialised (imports resolved), those names are taken out of the module's exports again, so an
// entry module does not grow Wasm exports and the app compiles as it did for the base, and the
// flags come off the declarations again (a parsed tree is reused by later compilations:
// common/parse-cache.ts).

import { CommonFlags, NodeKind, type Program } from "assemblyscript";

/** Names flagged exported for the patch: internal path of the app module -> names, and the declarations flagged. */
export type ExposedNames = Map<string, Set<string>> & { declarations?: AstDeclaration[] };

/** Flags the module-private declarations the patch file at `patchPath` imports as exported. */
export function exposePrivateImports(program: Program, patchPath: string): ExposedNames {
  const sources = program.sources as unknown as AstSource[];
  const byPath = new Map(sources.map((s) => [s.internalPath, s]));
  const exposed: ExposedNames = new Map();
  exposed.declarations = [];
  const patch = byPath.get(patchPath);
  for (const st of patch?.statements ?? []) {
    if (st.kind !== NodeKind.Import) continue;
    const imp = st as unknown as AstImport;
    const target = byPath.get(imp.internalPath) ?? byPath.get(`${imp.internalPath}/index`);
    if (!target || target === patch || target.internalPath.startsWith("~lib/")) continue;
    const wanted = imp.declarations ? new Set(imp.declarations.map((d) => d.foreignName.text)) : null;
    for (const decl of topLevelDeclarations(target)) {
      if ((decl.flags & CommonFlags.Export) !== 0 || (wanted && !wanted.has(decl.name.text))) continue;
      decl.flags |= CommonFlags.Export;
      exposed.declarations!.push(decl);
      const names = exposed.get(target.internalPath) ?? new Set<string>();
      names.add(decl.name.text);
      exposed.set(target.internalPath, names);
    }
  }
  return exposed;
}

/** Takes the exposed names out of their modules' exports again (call after initialisation), and their declarations' flags back. */
export function hideExposedNames(program: Program, exposed: ExposedNames): void {
  const files = program.filesByName as unknown as Map<string, { exports: Map<string, unknown> | null }>;
  for (const [path, names] of exposed) {
    const exports = files.get(path)?.exports;
    for (const name of names) exports?.delete(name);
  }
  restoreFlags(exposed);
}

/** Takes the export flags off the declarations again (also when the compilation failed before initialisation). */
export function restoreFlags(exposed: ExposedNames): void {
  for (const decl of exposed.declarations ?? []) decl.flags &= ~CommonFlags.Export;
  exposed.declarations = [];
}

interface AstDeclaration { kind: number; flags: number; name: { text: string } }
interface AstImport { kind: number; internalPath: string; declarations: { foreignName: { text: string } }[] | null }
interface AstSource { internalPath: string; statements: { kind: number }[] }

const DECLARATIONS = new Set<number>([
  NodeKind.FunctionDeclaration, NodeKind.ClassDeclaration, NodeKind.InterfaceDeclaration, NodeKind.EnumDeclaration,
  NodeKind.NamespaceDeclaration, NodeKind.TypeDeclaration,
]);

/** The declarations at the top level of `source`: functions, classes, enums, namespaces, types, and each variable. */
function topLevelDeclarations(source: AstSource): AstDeclaration[] {
  const out: AstDeclaration[] = [];
  for (const st of source.statements) {
    if (DECLARATIONS.has(st.kind)) out.push(st as unknown as AstDeclaration);
    else if (st.kind === NodeKind.Variable) out.push(...(st as unknown as { declarations: AstDeclaration[] }).declarations);
  }
  return out;
}
