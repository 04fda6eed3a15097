// The managed classes of a program with their runtime ids and memory layouts, as the base's
// manifest records them and as a patch build checks them.

import type { Program } from "assemblyscript";

/** One managed class: runtime id, internal name, and a layout string (size and fields). */
export interface ClassInfo {
  id: number;
  name: string;
  layout: string;
}

interface FieldLike {
  memoryOffset?: number;
  type?: { toString(): string };
  name: string;
}

interface ClassLike {
  internalName: string;
  nextMemoryOffset: number;
  base: ClassLike | null;
  members: Map<string, FieldLike & { instance?: FieldLike | null }> | null;
}

/** The program's managed classes, by id. */
export function describeClasses(program: Program): ClassInfo[] {
  const out: ClassInfo[] = [];
  for (const [id, cls] of program.managedClasses as unknown as Map<number, ClassLike>) {
    out.push({ id, name: cls.internalName, layout: layoutOf(cls) });
  }
  return out.sort((a, b) => a.id - b.id);
}

/** "size=16; buffer:ArrayBuffer@0, ..." including inherited fields. */
function layoutOf(cls: ClassLike): string {
  const fields: string[] = [];
  for (let c: ClassLike | null = cls; c; c = c.base) {
    for (const member of c.members?.values() ?? []) {
      const m = member.instance ?? member; // a property prototype's resolved instance holds the field
      if (typeof m.memoryOffset === "number" && m.memoryOffset >= 0 && m.type) fields.push(`${m.name}:${m.type.toString()}@${m.memoryOffset}`);
    }
  }
  return `size=${cls.nextMemoryOffset}; ${[...new Set(fields)].sort().join(", ")}`;
}
