// What an edit did to the program's managed classes, for `hotwasm diff`. New classes and new
// generic instantiations are fine: the patch build pins the base's ids (common/class-ids.ts) and
// brings their collector support. A class of the base must keep its layout: the objects alive
// were allocated with it. (Fields the edit adds are moved out of the layout beforehand, as shadow
// fields: patch/shadow-fields.ts.) A field removed, retyped or moved is refused, one cause per
// field, with where the field is.

import type { ErrorCode } from "../../host/errors.js";
import type { ClassInfo } from "../common/class-layout.js";

/** Reports one edit a patch cannot apply: about `symbol`, declared at `where` (default: symbol). */
export type Fail = (code: ErrorCode, message: string, symbol?: string, where?: string) => void;

/** Compares the classes of the base and the edited build; returns the names of the new ones. */
export function compareClasses(base: readonly ClassInfo[], edited: readonly ClassInfo[], fail: Fail): string[] {
  const byName = new Map(base.map((c) => [c.name, c]));
  const added: string[] = [];
  for (const c of edited) {
    const before = byName.get(c.name);
    if (!before) { added.push(c.name); continue; }
    if (before.id !== c.id) { fail("E_CLASS_ID_MISMATCH", `class ${c.name} moved from id ${before.id} to ${c.id}`, c.name); continue; }
    if (before.layout === c.layout) continue;
    const changes = layoutChanges(before.layout, c.layout);
    for (const ch of changes) fail("E_LAYOUT_MISMATCH", `class ${c.name}: ${ch.text}`, c.name, ch.field ? `${c.name}#${ch.field}` : c.name);
  }
  const kept = new Set(edited.map((c) => c.name));
  for (const c of base) {
    if (!kept.has(c.name)) fail("E_CLASS_ID_MISMATCH", `class ${c.name} (id ${c.id}) is not in the edited program`, c.name);
  }
  return added.sort();
}

/** Says which fields differ between two layout strings: removed, retyped, moved, new. */
export function describeLayoutChange(before: string, after: string): string {
  return layoutChanges(before, after).map((c) => c.text).join("; ");
}

/** One field of a layout string (class-layout.ts): "name:type@offset". */
interface Field {
  name: string;
  type: string;
  offset: number;
}

function layoutChanges(before: string, after: string): { field: string | null; text: string }[] {
  const a = parseLayout(before);
  const b = parseLayout(after);
  const out: { field: string | null; text: string }[] = [];
  for (const [name, f] of a.fields) {
    const now = b.fields.get(name);
    if (!now) out.push({ field: name, text: `field ${name} was removed` });
    else if (now.type !== f.type) out.push({ field: name, text: `field ${name} changed its type from ${f.type} to ${now.type}` });
    else if (now.offset !== f.offset) out.push({ field: name, text: `field ${name} moved from offset ${f.offset} to ${now.offset} (fields reordered, or one inserted before it)` });
  }
  for (const name of b.fields.keys()) {
    if (!a.fields.has(name)) out.push({ field: name, text: `field ${name} is new and cannot be a shadow field` });
  }
  if (out.length === 0) out.push({ field: null, text: `its size changed from ${a.size} to ${b.size} bytes` });
  return out;
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
