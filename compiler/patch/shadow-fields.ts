// Shadow fields (Linux livepatch's shadow variables): a field an edit adds to a class of the base
// cannot be put into objects that are already alive, so the patch's source is rewritten to keep
// the class's layout and store the field beside the objects. Each new field becomes a getter and
// a setter over a table keyed by the object's address (support-file.ts):
//   - an object created before the patch reads the initialiser's value (or the type's default)
//     until it is written; an initialiser that is not a literal is evaluated once, on first read;
//   - an object created after gets the initialiser at construction (in its explicit constructor,
//     after `super(...)`, or in a constructor added to a class that extends nothing);
//   - each rewritten file exports `__hotwasm$free(ptr)`, which drops the object's entries (the
//     patch's free-object hook calls it for every object the collector frees), and
//     `__hotwasm$count()`, its number of entries.
// In a generic class, a field whose type mentions a type parameter (`last: T`) has one table for
// all instantiations, keyed by object as the others (no two objects share an address), whose
// entries are boxes made by the object's instantiation (`HotwasmBox<T>`): AssemblyScript resolves
// a generic class's static members once for all its instantiations and refuses a type parameter
// in their types, so a table per instantiation has nowhere to live. A field whose type mentions
// none is stored unboxed, as in any class.
// Rewrites keep every line where it was (traps and line numbers match the edited source).

import type { ClassDecl, FieldDecl } from "../common/source-scan.js";

/** A new field of a class of the base, to be a shadow field. */
export interface NewField {
  /** The file (path relative to the project). */
  file: string;
  cls: ClassDecl;
  field: FieldDecl;
}

/** How a new field becomes a shadow field: its type's text, and whether its values are boxed (its type mentions a type parameter); else why it cannot. */
export function shadowFieldType(cls: ClassDecl, field: FieldDecl): { type: string; boxed: boolean } | { problem: string } {
  const where = `field ${cls.name}.${field.name}`;
  if (field.parameter) return { problem: `${where} is new as a constructor parameter, which changes the constructor's signature; declare it in the class body` };
  if (cls.unmanaged) return { problem: `${where} is new in an @unmanaged class, whose objects the collector never frees; a shadow field cannot follow them` };
  if (field.decorated) return { problem: `${where} is new and has a decorator; a shadow field cannot` };
  // AssemblyScript requires a field's type annotation (the parser refuses a field without one).
  if (!field.type) return { problem: `${where} is new and has no type annotation; give it one` };
  const type = oneLine(field.type);
  return { type, boxed: cls.typeParameters.some((name) => mentions(type, name)) };
}

/** Rewrites one file's new fields (all of whose shadowFieldType has a type) into shadow fields; `first` numbers the tables. */
export function rewriteShadowFields(text: string, fields: readonly NewField[], first: number): string {
  const edits: { at: number; end: number; text: string }[] = [];
  const tables: string[] = [];
  const frees: string[] = [];
  const counts: string[] = [];
  const ctorless = new Set<ClassDecl>();
  fields.forEach(({ cls, field }, k) => {
    const n = first + k;
    const shape = shadowFieldType(cls, field);
    if (!("type" in shape)) throw new Error(`not a shadow field: ${cls.name}.${field.name}`);
    const { type, boxed } = shape;
    const init = field.initializer === null ? null : oneLine(field.initializer);
    const literal = init === null || isLiteral(init);
    const table = `__hotwasm$shadow${n}`;
    const value = init === null ? `__hotwasm_zero<${type}>()` : `(${init})`;
    const here = `changetype<usize>(${table}$t)`;
    const at = boxed ? `changetype<HotwasmBox<${type}>>(__hotwasm_shadow_at<usize>(${here}, __hw$i)).value` : `__hotwasm_shadow_at<${type}>(${here}, __hw$i)`;
    const put = boxed ? `${at} = __hw$v` : `__hotwasm_shadow_put<${type}>(${here}, __hw$i, __hw$v)`;
    const add = `${table}().set(changetype<usize>(this), ${boxed ? `new HotwasmBox<${type}>(__hw$v)` : "__hw$v"})`;
    const find = `const __hw$i = __hotwasm_shadow_find(${here}, changetype<usize>(this)); if (__hw$i >= 0) return ${at};`;
    // A literal's value needs no entry until the field is written; any other initialiser runs once, on first read.
    const getter = literal
      ? `get ${field.name}(): ${type} { ${find} const __hw$v: ${type} = ${value}; return __hw$v; }`
      : `get ${field.name}(): ${type} { ${find} const __hw$v: ${type} = ${value}; ${add}; return __hw$v; }`;
    const setter = `set ${field.name}(__hw$v: ${type}) { const __hw$i = __hotwasm_shadow_find(${here}, changetype<usize>(this)); if (__hw$i >= 0) ${put}; else ${add}; }`;
    const access = field.access ? `${field.access} ` : "";
    // Inlined where they are used: a field access stays a few loads and a compare when the entry is found.
    let replacement = `@inline ${access}${getter} @inline ${access}${setter}`;
    if (!literal) {
      // An object created after the patch gets the initialiser at construction, as a plain build does.
      const assign = ` this.${field.name} = ${value};`;
      if (cls.ctor) edits.push({ at: cls.ctor.superEnd ?? cls.ctor.bodyStart, end: cls.ctor.superEnd ?? cls.ctor.bodyStart, text: assign });
      else if (!cls.extends) {
        if (!ctorless.has(cls)) replacement += ` constructor() {${ctorInits(cls, fields)} }`;
        ctorless.add(cls);
      }
    }
    const original = text.slice(field.start, field.end);
    edits.push({ at: field.start, end: field.end, text: replacement + "\n".repeat(newlines(original)) });
    const held = boxed ? "HotwasmCell" : type;
    tables.push(`let ${table}$t: HotwasmShadow<${held}> | null = null;`);
    tables.push(`function ${table}(): HotwasmShadow<${held}> { let t = ${table}$t; if (!t) { t = new HotwasmShadow<${held}>(); ${table}$t = t; } return t; }`);
    // Most freed objects have no entry: the probe runs on the table's address, with no call.
    frees.push(`{ const i = __hotwasm_shadow_find(changetype<usize>(${table}$t), ptr); if (i >= 0) ${table}$t!.removeAt(i); }`);
    counts.push(`{ const t = ${table}$t; if (t) n += t.count; }`);
  });
  let out = text;
  // Later edits first, so earlier offsets stay valid; insertions at one place keep their order.
  const ordered = edits.map((e, i) => ({ ...e, i })).sort((a, b) => b.at - a.at || b.i - a.i);
  for (const e of ordered) out = out.slice(0, e.at) + e.text + out.slice(e.end);
  const tail = [
    "", "// hotwasm: shadow fields (added by hotwasm diff).", ...tables,
    `export function __hotwasm$free(ptr: usize): void { ${frees.join(" ")} }`,
    `export function __hotwasm$count(): i32 { let n = 0; ${counts.join(" ")} return n; }`, "",
  ];
  return out + (out.endsWith("\n") ? "" : "\n") + tail.join("\n");
}

/** Marks a function exported (for the support file to import it), keeping its line. */
export function exportFunction(text: string, start: number): string {
  const at = text.indexOf("function", start);
  return `${text.slice(0, at)}export ${text.slice(at)}`;
}

/** The initialisations a constructor added to `cls` runs: its new fields whose initialiser is not a literal. */
function ctorInits(cls: ClassDecl, fields: readonly NewField[]): string {
  return fields
    .filter((f) => f.cls === cls && f.field.initializer !== null && !isLiteral(oneLine(f.field.initializer)))
    .map((f) => ` this.${f.field.name} = (${oneLine(f.field.initializer!)});`)
    .join("");
}

/** True for initialisers whose value needs no evaluation per object (numbers, booleans, null, plain strings). */
export function isLiteral(init: string): boolean {
  const t = init.trim();
  return t === "null" || t === "true" || t === "false" || NUMBER.test(t) || STRING.test(t);
}

const NUMBER = /^-?(0x[0-9a-f_]+|0b[01_]+|0o[0-7_]+|[0-9][0-9_]*(\.[0-9_]*)?(e[+-]?[0-9]+)?|\.[0-9_]+(e[+-]?[0-9]+)?)$/i;
const STRING = /^("([^"\\\n]|\\.)*"|'([^'\\\n]|\\.)*')$/;

/** True when the type's text names `name` (a whole identifier; a false positive only costs a box). */
function mentions(type: string, name: string): boolean {
  const escaped = name.replace(/\$/g, "\\$");
  return new RegExp(`(?<![\\w$])${escaped}(?![\\w$])`).test(type);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}

function newlines(text: string): number {
  return text.split("\n").length - 1;
}
