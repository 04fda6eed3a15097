// Finds the fields an edit adds to the classes of the base, from the source text of both trees,
// and rewrites the edited files so that those fields become shadow fields (patch/shadow-fields.ts).
// A class is the same class when its file and name are; a field is new when the class had no
// field of that name. What else happened to the fields (removed, retyped, moved) the compiled
// layouts tell (class-changes.ts).

import type { ErrorCode } from "../../host/errors.js";
import { scanSource, type ClassDecl } from "../common/source-scan.js";
import { rewriteShadowFields, shadowFieldType, type NewField } from "../patch/shadow-fields.js";

/** The edited tree's rewrite. */
export interface ShadowPlan {
  /** Rewritten files, by path. */
  files: Record<string, string>;
  /** Paths of the rewritten files (each exports `__hotwasm$free`). */
  shadowFiles: string[];
  /** The shadow fields, as "file/Class.field". */
  fields: string[];
  /** New fields that cannot be shadow fields. */
  problems: { code: ErrorCode; message: string }[];
}

/** Compares the classes of `base` (path -> text) with the edited files `read` returns; rewrites new fields. */
export async function planShadowFields(base: Record<string, string>, read: (path: string) => Promise<string | null>): Promise<ShadowPlan> {
  const plan: ShadowPlan = { files: {}, shadowFiles: [], fields: [], problems: [] };
  let next = 0;
  for (const [path, before] of Object.entries(base)) {
    const after = await read(path);
    if (after === null || after === before) continue;
    const old = new Map(scanSource(path, before).classes.map((c) => [c.name, c]));
    const fields: NewField[] = [];
    for (const cls of scanSource(path, after).classes) {
      const was = old.get(cls.name);
      if (!was) continue; // a new class: its fields are its own
      for (const field of newFieldsOf(was, cls)) {
        const shape = shadowFieldType(cls, field);
        if ("problem" in shape) plan.problems.push({ code: "E_LAYOUT_MISMATCH", message: `${path}: ${shape.problem}` });
        else fields.push({ file: path, cls, field });
      }
    }
    if (fields.length === 0) continue;
    plan.files[path] = rewriteShadowFields(after, fields, next);
    plan.shadowFiles.push(path);
    plan.fields.push(...fields.map((f) => `${path.replace(/\.ts$/, "")}/${f.cls.name}.${f.field.name}`));
    next += fields.length;
  }
  return plan;
}

function newFieldsOf(before: ClassDecl, after: ClassDecl) {
  const had = new Set(before.fields.map((f) => f.name));
  return after.fields.filter((f) => !had.has(f.name));
}
