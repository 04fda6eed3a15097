// What an edit did to the program's managed classes, for `hotwasm diff`. New classes and new
// generic instantiations are fine: the patch build pins the base's ids (common/class-ids.ts) and
// brings their collector support. A class of the base must keep its layout: the objects alive
// were allocated with it. (Fields the edit adds are moved out of the layout beforehand, as shadow
// fields: patch/shadow-fields.ts.) A field removed, retyped or moved is refused, by name.

import type { ErrorCode } from "../../host/errors.js";
import type { ClassInfo } from "../common/class-layout.js";

/** Reports one edit a patch cannot apply. */
export type Fail = (code: ErrorCode, message: string) => void;

/** Compares the classes of the base and the edited build; returns the names of the new ones. */
export function compareClasses(base: readonly ClassInfo[], edited: readonly ClassInfo[], fail: Fail): string[] {
  const byName = new Map(base.map((c) => [c.name, c]));
  const added: string[] = [];
  for (const c of edited) {
    const before = byName.get(c.name);
    if (!before) { added.push(c.name); continue; }
    if (before.id !== c.id) fail("E_CLASS_ID_MISMATCH", `class ${c.name} moved from id ${before.id} to ${c.id}`);
    else if (before.layout !== c.layout) fail("E_LAYOUT_MISMATCH", `class ${c.name}: ${describeLayoutChange(before.layout, c.layout)}`);
  }
  const kept = new Set(edited.map((c) => c.name));
  for (const c of base) {
    if (!kept.has(c.name)) fail("E_CLASS_ID_MISMATCH", `class ${c.name} (id ${c.id}) is not in the edited program`);
  }
  return added.sort();
}

/** One field of a layout string (class-layout.ts): "name:type@offset". */
interface Field {
  name: string;
  type: string;
  offset: number;
}

/** Says which fields differ between two layout strings: removed, retyped, moved, new. */
export function describeLayoutChange(before: string, after: string): string {
  const a = parseLayout(before);
  const b = parseLayout(after);
  const out: string[] = [];
  for (const [name, f] of a.fields) {
    const now = b.fields.get(name);
    if (!now) out.push(`field ${name} was removed`);
    else if (now.type !== f.type) out.push(`field ${name} changed its type from ${f.type} to ${now.type}`);
    else if (now.offset !== f.offset) out.push(`field ${name} moved from offset ${f.offset} to ${now.offset} (fields reordered, or one inserted before it)`);
  }
  for (const name of b.fields.keys()) {
    if (!a.fields.has(name)) out.push(`field ${name} is new and cannot be a shadow field (a constructor parameter property, a generic class, or no type annotation)`);
  }
  if (out.length === 0) out.push(`its size changed from ${a.size} to ${b.size} bytes`);
  return out.join("; ");
}

function parseLayout(layout: string): { size: number; fields: Map<string, Field> } {
  const [sizePart, fieldPart = ""] = layout.split("; ");
  const fields = new Map<string, Field>();
  for (const item of fieldPart.split(", ").filter(Boolean)) {
    const at = item.lastIndexOf("@");
    const colon = item.indexOf(":");
    const name = item.slice(0, colon);
    fields.set(name, { name, type: item.slice(colon + 1, at), offset: Number(item.slice(at + 1)) });
  }
  return { size: Number(sizePart!.replace("size=", "")), fields };
}
