// Finds functions the source marks as not patchable: a comment containing `@hotwasm-nopatch`
// right before a function, method or namespace member keeps it out of the patchable set.

import { CommonFlags, NodeKind, type Program } from "assemblyscript";

/** The marker text. */
export const NO_PATCH_MARKER = "@hotwasm-nopatch";

interface Decl {
  kind: number;
  name?: { text: string };
  flags: number;
  range: { start: number; end: number };
  members?: Decl[];
}

/** Internal names of the marked functions in the program's own sources. */
export function findNoPatchMarkers(program: Program): Set<string> {
  const out = new Set<string>();
  for (const source of program.sources as unknown as { internalPath: string; text: string; statements: Decl[] }[]) {
    if (source.internalPath.startsWith("~lib/") || !source.text.includes(NO_PATCH_MARKER)) continue;
    scan(source.text, source.statements, 0, `${source.internalPath}/`, out);
  }
  return out;
}

function scan(text: string, decls: Decl[], from: number, prefix: string, out: Set<string>): void {
  let prevEnd = from;
  for (const d of decls) {
    const marked = text.slice(prevEnd, d.range.start).includes(NO_PATCH_MARKER);
    const name = d.name?.text;
    prevEnd = d.range.end;
    if (!name) continue;
    switch (d.kind) {
      case NodeKind.FunctionDeclaration:
        if (marked) out.add(prefix + name);
        break;
      case NodeKind.ClassDeclaration:
        scanClass(text, d, `${prefix}${name}`, marked, out);
        break;
      case NodeKind.NamespaceDeclaration:
        scan(text, d.members ?? [], d.range.start, `${prefix}${name}.`, out);
        break;
    }
  }
}

/** A marker on the class marks every method; a marker on a member marks that member. */
function scanClass(text: string, cls: Decl, className: string, classMarked: boolean, out: Set<string>): void {
  let prevEnd = text.indexOf("{", cls.range.start);
  for (const m of cls.members ?? []) {
    const marked = classMarked || text.slice(prevEnd, m.range.start).includes(NO_PATCH_MARKER);
    prevEnd = m.range.end;
    if (!marked || m.kind !== NodeKind.MethodDeclaration || !m.name) continue;
    const sep = m.flags & CommonFlags.Static ? "." : "#";
    const member = m.name.text;
    if (m.flags & CommonFlags.Get) out.add(`${className}#get:${member}`);
    else if (m.flags & CommonFlags.Set) out.add(`${className}#set:${member}`);
    else out.add(`${className}${sep}${member}`);
  }
}
