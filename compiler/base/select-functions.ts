// Decides which functions of a build are patchable: by default every function of the program's
// own sources; `--patchable GLOB` adds more, `--patchable !GLOB` takes some out (last match wins).

import picomatch from "picomatch";
import { FINALIZE_FUNCTION } from "../../host/model/hook-names.js";

/** The decision for one function. */
export interface Choice {
  patchable: boolean;
  reason?: string;
}

/** Facts about a function that the default rule needs. */
export interface FunctionFacts {
  name: string;
  /** True for a getter or setter the compiler generated for a field. */
  isFieldAccessor: boolean;
  /** True when the source marks the function as not patchable. */
  markedNoPatch?: boolean;
}

/** Applies the default rule, then `globs` in order. */
export function choosePatchable(fn: FunctionFacts, globs: readonly string[]): Choice {
  let choice = defaultChoice(fn);
  for (const glob of globs) {
    const exclude = glob.startsWith("!");
    if (matchesSymbol(exclude ? glob.slice(1) : glob, fn.name)) {
      choice = exclude ? { patchable: false, reason: `excluded by --patchable ${glob}` } : { patchable: true };
    }
  }
  return choice;
}

/** True when `pattern` matches `name`; a pattern without "/" matches the name within any module. */
export function matchesSymbol(pattern: string, name: string): boolean {
  const subject = pattern.includes("/") ? name : name.slice(name.lastIndexOf("/") + 1);
  return compiled(pattern)(subject);
}

/** Runtime functions a patch replaces to teach the collector its new classes and globals, and what to free with an object. */
export const RUNTIME_HOOKS = ["~lib/rt/__visit_members", "~lib/rt/__visit_globals", FINALIZE_FUNCTION];

function defaultChoice(fn: FunctionFacts): Choice {
  const { name } = fn;
  if (RUNTIME_HOOKS.includes(name)) return { patchable: true };
  if (name.startsWith("~lib/")) return { patchable: false, reason: "standard library or package code" };
  if (name.startsWith("~")) return { patchable: false, reason: "compiler-generated" };
  if (name.startsWith("start:")) return { patchable: false, reason: "top-level code of a file (runs once at start)" };
  if (name.startsWith("export:")) return { patchable: false, reason: "export wrapper; it calls the patchable function" };
  // Virtual-call stubs dispatch on class ids; a patch adding subclasses replaces them.
  if (/@(override|virtual)$/.test(name) && !name.startsWith("~lib/")) return { patchable: true };
  if (name.endsWith("~visit")) return { patchable: false, reason: "generated collector visitor" };
  if (name.includes("@")) return { patchable: false, reason: "compiler-generated stub; it calls the patchable function" };
  if (fn.isFieldAccessor) return { patchable: false, reason: "generated field accessor" };
  if (fn.markedNoPatch) return { patchable: false, reason: "marked @hotwasm-nopatch in the source" };
  return { patchable: true };
}

const cache = new Map<string, (s: string) => boolean>();

function compiled(pattern: string): (s: string) => boolean {
  let m = cache.get(pattern);
  if (!m) {
    m = picomatch(pattern, { dot: true, noextglob: true });
    cache.set(pattern, m);
  }
  return m;
}
