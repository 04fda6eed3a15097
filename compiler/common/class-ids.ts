// Keeps the base's class ids in a build of the program with more in it (a patch, an edited
// source tree). asc numbers managed classes in the order it creates them, so a class added in the
// middle of a file, or a generic instantiation met earlier than before, moves the ids of every
// class created after it, and with them the constants of code such as String#split (which makes
// an Array<String>). Pinned, every class the base has keeps its id and the new ones come after.

import { ElementKind, Type, type Program } from "assemblyscript";
import { HotwasmError } from "../../host/errors.js";

/** A class of the base: its runtime id and internal name. */
export interface BaseClass {
  id: number;
  name: string;
}

/**
 * Makes `program` give the base's classes their base ids and new classes the ids after them.
 * Call before the program is initialised (a transform's afterParse).
 */
export function pinClassIds(program: Program, base: readonly BaseClass[]): void {
  const byName = new Map(base.map((c) => [c.name, c.id]));
  const next = base.length === 0 ? 0 : Math.max(...base.map((c) => c.id)) + 1;
  (program as unknown as { managedClasses: Map<number, ClassLike> }).managedClasses = new PinnedIds(byName, next);
}

/**
 * Creates the base's classes the program has not created yet, so that their ids are taken even
 * when the edited program no longer uses them (asc requires ids 0..n-1 without holes). Call
 * after initialisation (afterInitialize). A class it cannot create by name (a function type's)
 * may still be created by the compilation; one that never is makes the build fail with
 * E_CLASS_ID_MISMATCH (see `classIdProblem`).
 */
export function createBaseClasses(program: Program, base: readonly BaseClass[]): void {
  const p = program as unknown as ProgramLike;
  for (const c of [...base].sort((a, b) => a.id - b.id)) {
    if (p.managedClasses.get(c.id)?.internalName === c.name) continue;
    resolveClassNamed(p, c.name);
  }
}

/** Why the pinned ids of `program` have a hole (a class of the base never created), or null. */
export function classIdProblem(program: Program): HotwasmError | null {
  const ids = (program as unknown as { managedClasses: Map<number, ClassLike> }).managedClasses;
  return ids instanceof PinnedIds ? ids.problem : null;
}

interface ClassLike {
  internalName: string;
  _id: number;
  id: number;
  type: TypeLike;
}

interface TypeLike {
  asNullable(): TypeLike;
}

interface ProgramLike {
  managedClasses: Map<number, ClassLike>;
  elementsByName: Map<string, { kind: number }>;
  resolver: { resolveClass(prototype: unknown, typeArguments: TypeLike[] | null): ClassLike | null };
  options: { usizeType: TypeLike; isizeType: TypeLike };
}

/** The managed-class table of a pinned program: ids by name, iterated in id order as asc expects. */
class PinnedIds extends Map<number, ClassLike> {
  /** Set when asc found a hole (it then stops: it needs ids 0..n-1). */
  problem: HotwasmError | null = null;

  constructor(private readonly byName: Map<string, number>, private next: number) {
    super();
  }

  override set(_id: number, cls: ClassLike): this {
    // asc has just given `cls` the next id in creation order: replace it.
    const pinned = this.byName.get(cls.internalName) ?? this.next++;
    cls._id = pinned;
    return super.set(pinned, cls);
  }

  override keys(): MapIterator<number> {
    // asc lists the ids to lay out the RTTI and the visitor: every class of the base must be there.
    const missing = [...this.byName].filter(([, id]) => !this.has(id)).sort((a, b) => a[1] - b[1])[0];
    if (missing) {
      this.problem = new HotwasmError("E_CLASS_ID_MISMATCH", `class ${missing[0]} of the base (id ${missing[1]}) is not in the new build; keep the class, or rebuild the base`);
      throw this.problem;
    }
    return this.sortedKeys()[Symbol.iterator]() as MapIterator<number>;
  }

  override values(): MapIterator<ClassLike> {
    return this.sortedKeys().map((k) => this.get(k)!)[Symbol.iterator]() as MapIterator<ClassLike>;
  }

  override entries(): MapIterator<[number, ClassLike]> {
    return this.sortedKeys().map((k) => [k, this.get(k)!] as [number, ClassLike])[Symbol.iterator]() as MapIterator<[number, ClassLike]>;
  }

  override [Symbol.iterator](): MapIterator<[number, ClassLike]> {
    return this.entries();
  }

  override forEach(fn: (value: ClassLike, key: number, map: Map<number, ClassLike>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }

  private sortedKeys(): number[] {
    return [...super.keys()].sort((a, b) => a - b);
  }
}

/** The class of internal name `name` (e.g. `~lib/map/Map<~lib/string/String,i32>`), created if need be. */
function resolveClassNamed(p: ProgramLike, name: string): ClassLike | null {
  const open = name.indexOf("<");
  const protoName = open < 0 ? name : name.slice(0, open);
  const prototype = p.elementsByName.get(protoName);
  if (!prototype || prototype.kind !== ElementKind.ClassPrototype) return null;
  let args: TypeLike[] | null = null;
  if (open >= 0) {
    if (!name.endsWith(">")) return null;
    args = [];
    for (const arg of splitArguments(name.slice(open + 1, -1))) {
      const type = resolveTypeNamed(p, arg);
      if (!type) return null;
      args.push(type);
    }
  }
  return p.resolver.resolveClass(prototype, args);
}

function resolveTypeNamed(p: ProgramLike, name: string): TypeLike | null {
  if (name.endsWith("|null")) return resolveTypeNamed(p, name.slice(0, -5))?.asNullable() ?? null;
  if (name === "usize") return p.options.usizeType;
  if (name === "isize") return p.options.isizeType;
  const primitive = (Type as unknown as Record<string, TypeLike | undefined>)[name];
  if (primitive && !name.includes("/")) return primitive;
  return resolveClassNamed(p, name)?.type ?? null;
}

/** Splits `a,b<c,d>,e` at its top-level commas. */
function splitArguments(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "<" || ch === "(") depth++;
    else if (ch === ">" || ch === ")") depth--;
    else if (ch === "," && depth === 0) {
      out.push(text.slice(from, i));
      from = i + 1;
    }
  }
  out.push(text.slice(from));
  return out;
}
