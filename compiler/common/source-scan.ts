// Reads what `hotwasm diff` and `hotwasm patch` need from source text alone, without compiling:
// the top-level classes of a file with their instance fields and constructor, and the functions
// a comment marks (e.g. `// @hotwasm-migrate`). Positions are offsets into the text.

import { CommonFlags, NodeKind, Parser } from "assemblyscript";

/** An instance field as declared. */
export interface FieldDecl {
  name: string;
  /** The type annotation's text, or null. */
  type: string | null;
  initializer: string | null;
  /** Declared as a constructor parameter property (`constructor(public x: i32)`). */
  parameter: boolean;
  decorated: boolean;
  /** public, private or protected, if written. */
  access: string;
  start: number;
  end: number;
}

/** A top-level class of a file. */
export interface ClassDecl {
  name: string;
  /** The names of its type parameters (`class Box<T>`: ["T"]; none: []). */
  typeParameters: string[];
  extends: boolean;
  /** Decorated `@unmanaged` (its objects are freed by hand, never by the collector). */
  unmanaged: boolean;
  fields: FieldDecl[];
  /** The explicit constructor: where its body's statements start, and where its `super(...)` call ends. */
  ctor: { bodyStart: number; superEnd: number | null } | null;
}

/** A top-level function whose leading comments contain a marker. */
export interface MarkedFunction {
  name: string;
  exported: boolean;
  /** The return type's text ("void" when none is written). */
  returns: string;
  start: number;
}

/** Parses `text` (one file) and returns its top-level classes and the functions marked with `marker`. */
export function scanSource(path: string, text: string, marker?: string): { classes: ClassDecl[]; marked: MarkedFunction[] } {
  const parser = new Parser();
  parser.parseFile(text, path, true);
  const source = parser.sources[0] as unknown as { statements: Node[] } | undefined;
  const classes: ClassDecl[] = [];
  const marked: MarkedFunction[] = [];
  let prevEnd = 0;
  for (const st of source?.statements ?? []) {
    const before = text.slice(prevEnd, st.range.start);
    prevEnd = st.range.end;
    if (st.kind === NodeKind.ClassDeclaration && st.name) classes.push(classOf(text, st));
    if (marker && st.kind === NodeKind.FunctionDeclaration && st.name && before.includes(marker)) {
      const returns = st.signature?.returnType ? slice(text, st.signature.returnType) : "void";
      marked.push({ name: st.name.text, exported: (st.flags & CommonFlags.Export) !== 0, returns, start: st.range.start });
    }
  }
  return { classes, marked };
}

interface Range { start: number; end: number }
interface Node {
  kind: number;
  range: Range;
  flags: number;
  name?: { text: string };
  members?: Node[];
  typeParameters?: { name: { text: string } }[] | null;
  extendsType?: Node | null;
  type?: Node | null;
  initializer?: Node | null;
  parameterIndex?: number;
  decorators?: { name?: { text?: string } }[] | null;
  body?: (Node & { statements?: Node[] }) | null;
  expression?: Node;
  signature?: { returnType?: Node | null };
}

function classOf(text: string, cls: Node): ClassDecl {
  const fields: FieldDecl[] = [];
  let ctor: ClassDecl["ctor"] = null;
  for (const m of cls.members ?? []) {
    if (m.kind === NodeKind.FieldDeclaration && m.name && !(m.flags & CommonFlags.Static)) {
      const access = m.flags & CommonFlags.Private ? "private" : m.flags & CommonFlags.Protected ? "protected" : m.flags & CommonFlags.Public ? "public" : "";
      fields.push({
        name: m.name.text, type: m.type ? slice(text, m.type) : null, initializer: m.initializer ? slice(text, m.initializer) : null,
        parameter: (m.parameterIndex ?? -1) >= 0, decorated: (m.decorators?.length ?? 0) > 0, access, start: m.range.start, end: m.range.end,
      });
    }
    if (m.kind === NodeKind.MethodDeclaration && m.flags & CommonFlags.Constructor && m.body) {
      const bodyStart = text.indexOf("{", m.body.range.start) + 1;
      const superCall = (m.body.statements ?? []).find((s) => s.kind === NodeKind.Expression && s.expression?.kind === NodeKind.Call && (s.expression as Node & { expression?: Node }).expression?.kind === NodeKind.Super);
      let superEnd: number | null = null;
      if (superCall) {
        superEnd = superCall.range.end;
        while (text[superEnd] === " " || text[superEnd] === "\t") superEnd++;
        if (text[superEnd] === ";") superEnd++;
        else superEnd = superCall.range.end;
      }
      ctor = { bodyStart, superEnd };
    }
  }
  const unmanaged = (cls.decorators ?? []).some((d) => d.name?.text === "unmanaged");
  return { name: cls.name!.text, typeParameters: (cls.typeParameters ?? []).map((t) => t.name.text), extends: !!cls.extendsType, unmanaged, fields, ctor };
}

function slice(text: string, node: Node): string {
  return text.slice(node.range.start, node.range.end);
}
