// Top-level code across an edit. It ran once, at start, and cannot run again, with one exception:
// the initialisation of a global new in the edit (a new top-level variable or static field whose
// initialiser is not a constant) has never run; the patch runs it once at load. So an existing
// global's initialisation must be the same as in the base (wherever it is), and the other
// statements of each start function the same, in order (a new file's start function holds only
// new globals' initialisations); any other statement added, removed or changed is refused, named.

import type { Fingerprint, StatementPrint } from "./fingerprint.js";
import type { Fail } from "./class-changes.js";

/**
 * The new globals the edited start code initialises, in the order they run; every other change
 * to top-level code goes to `fail` (E_GLOBAL_INIT_CHANGED). `refused` holds globals already refused.
 */
export function compareStartCode(base: Fingerprint, edited: Fingerprint, fail: Fail, refused: ReadonlySet<string>): string[] {
  const initialised: string[] = [];
  const reported = new Set(refused);
  const was = setsOf(base);
  const now = setsOf(edited);
  // An existing global's initialisation must be the same, wherever it is: asc compiles the
  // runtime's into whichever start function first needs it, which an edit can change.
  for (const [name, code] of now) {
    if (!base.globals.has(name) || was.get(name) === code || reported.has(name)) continue;
    fail("E_GLOBAL_INIT_CHANGED", `the initialiser of global ${name} changed; it ran once at start and cannot run again`, name);
    reported.add(name);
  }
  const seen = new Set<string>();
  const visit = (fn: string) => {
    if (seen.has(fn)) return;
    seen.add(fn);
    const kept: StatementPrint[] = [];
    for (const s of edited.starts.get(fn) ?? []) {
      if (s.sets !== null) {
        if (!base.globals.has(s.sets)) initialised.push(s.sets);
        continue;
      }
      if (s.runs !== null) visit(s.runs);
      // A new file's top-level code: only its initialisations may be in it.
      if (s.runs === null || base.functions.has(s.runs)) kept.push(s);
    }
    const before = (base.starts.get(fn) ?? []).filter((s) => s.sets === null);
    const { removed, added } = differences(before, kept);
    const file = fn === "~start" ? "the program" : fn.slice("start:".length);
    const refuse = (s: StatementPrint, what: string) =>
      fail("E_GLOBAL_INIT_CHANGED", `top-level code of ${file} ${what}: ${s.label}; it ran once at start and cannot run again`, fn);
    // A statement changed in place is one removed and one added with the same label: named once.
    const unmatched = [...removed];
    for (const s of added) {
      const at = unmatched.findIndex((r) => r.label === s.label);
      refuse(s, at >= 0 ? "changed" : "has a new statement");
      if (at >= 0) unmatched.splice(at, 1);
    }
    for (const s of unmatched) refuse(s, "lost a statement");
  };
  visit("~start");
  return initialised;
}

/** The code of each global's initialisation in top-level code (all of them, if one is set twice). */
function setsOf(fp: Fingerprint): Map<string, string> {
  const out = new Map<string, string>();
  for (const list of fp.starts.values()) {
    for (const s of list) if (s.sets !== null) out.set(s.sets, out.has(s.sets) ? `${out.get(s.sets)},${s.code}` : s.code);
  }
  return out;
}

/** The statements only `before` has and those only `after` has (a longest common subsequence of the rest). */
function differences(before: StatementPrint[], after: StatementPrint[]): { removed: StatementPrint[]; added: StatementPrint[] } {
  const n = before.length;
  const m = after.length;
  // Top-level code is short; the table is small.
  const lcs = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = before[i]!.code === after[j]!.code ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const removed: StatementPrint[] = [];
  const added: StatementPrint[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (before[i]!.code === after[j]!.code) { i++; j++; }
    else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) removed.push(before[i++]!);
    else added.push(after[j++]!);
  }
  removed.push(...before.slice(i));
  added.push(...after.slice(j));
  return { removed, added };
}
