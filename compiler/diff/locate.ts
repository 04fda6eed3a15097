// Where a function, class, field or global of a compiled program is declared, as
// "file:line:column" (the file relative to the project root), for refusals that point at the edit.

import type { Program } from "assemblyscript";
import type { Locate } from "./refusals.js";

interface RangeLike { start: number; source: { normalizedPath: string; lineAt(pos: number): number; columnAt(): number } }
interface ElementLike { declaration?: { range?: RangeLike }; members?: Map<string, ElementLike> | null; instance?: ElementLike | null }

/** A locator over `program`'s declarations. */
export function locator(program: Program): Locate {
  const instances = program.instancesByName as unknown as Map<string, ElementLike>;
  const elements = program.elementsByName as unknown as Map<string, ElementLike>;
  const classes = new Map<string, ElementLike>();
  for (const cls of (program.managedClasses as unknown as Map<number, ElementLike & { internalName: string }>).values()) classes.set(cls.internalName, cls);
  return (symbol) => {
    const element = instances.get(symbol) ?? classes.get(symbol) ?? elements.get(symbol);
    const found = where(element?.declaration?.range);
    if (found && !found.startsWith("~lib/native")) return found;
    // "Class#field", "Class#get:field": a field of a class (or the class, when the field is gone).
    symbol = symbol.replace(/#[gs]et:/, "#");
    const at = symbol.lastIndexOf("#");
    const cls = at > 0 ? classes.get(symbol.slice(0, at)) : undefined;
    if (!cls) return null;
    const member = cls.members?.get(symbol.slice(at + 1));
    return where((member?.instance ?? member)?.declaration?.range) ?? where(cls.declaration?.range);
  };
}

function where(range: RangeLike | undefined): string | null {
  if (!range?.source) return null;
  const line = range.source.lineAt(range.start);
  return `${range.source.normalizedPath}:${line}:${range.source.columnAt()}`;
}
