// Fingerprints of a compiled program, for `hotwasm diff`: every function's code, every global's
// type and initialiser, every class's id and layout, every function's declaration text, and each
// statement of top-level code (common/start-code.ts). What moves when unrelated code is edited is
// left out, so that only a change of code is a change:
// - static data moves: each constant pointing into it (the analysis builds put it far above any
//   ordinary constant) is replaced by a description of what it points to, recursively;
// - source positions move: the line and column that checks (assert, null checks, casts, throw)
//   pass to abort are masked (positions.ts);
// - asc numbers the blocks of inlined calls per inlined function across the whole program
//   (`NAME|inlined.3`): a call inlined one more time elsewhere renumbers them, so the number goes.

import type { Program } from "assemblyscript";
import { createHash } from "node:crypto";
import { typeNames, type Binaryen, type BinaryenModule } from "../common/binaryen-util.js";
import { describeClasses, type ClassInfo } from "../common/class-layout.js";
import { abortFunctionOf, maskPositions } from "./positions.js";
import { StaticData } from "./static-data.js";
import { migrationOf } from "../patch/program-setup.js";
import { isStartFunction, normaliseStatement, startStatements } from "../common/start-code.js";

/** Where the analysis builds put their static data. */
export const ANALYSIS_MEMORY_BASE = 0x4000000;
/** Where the analysis builds put their table entries (as the patch builds do). */
export const ANALYSIS_TABLE_BASE = 1;

/** One function's fingerprint. */
export interface FunctionPrint {
  /** Digest of its code, positions masked and data described. */
  code: string;
  /** Digest of its code with every data reference alike: equal shapes, other codes = other data. */
  shape: string;
  type: string;
  signature: string;
  /** Functions the compiler inlined into it (`@inline`). */
  inlined: string[];
}

/** One statement of top-level code (common/start-code.ts), frame bookkeeping left out. */
export interface StatementPrint {
  /** Digest of its code, normalised as a function's and for its place in the frame. */
  code: string;
  /** The global it sets (`global.set`), else null. */
  sets: string | null;
  /** The start function it calls, else null. */
  runs: string | null;
  /** A few words saying what it is, for a refusal ("a call to NAME"). */
  label: string;
}

/** What `hotwasm diff` compares between two builds. */
export interface Fingerprint {
  functions: Map<string, FunctionPrint>;
  globals: Map<string, { type: string; mutable: boolean; init: string }>;
  classes: ClassInfo[];
  /** Digest of the declaration text of every function of the program's own sources, by name. */
  declarations: Map<string, string>;
  /** The statements of each start function (`~start`, `start:FILE`), in order. */
  starts: Map<string, StatementPrint[]>;
  /** The migration function (`// @hotwasm-migrate`), if the program has one. */
  migrate?: string | null;
}

/** Fingerprints a module compiled (unoptimised) with static data at ANALYSIS_MEMORY_BASE. Leaves it unchanged. */
export function fingerprintModule(b: Binaryen, module: BinaryenModule, program: Program): Fingerprint {
  const data = new StaticData(b, module, program, ANALYSIS_MEMORY_BASE);
  const abort = abortFunctionOf(program);
  const functions: Fingerprint["functions"] = new Map();
  const starts: Fingerprint["starts"] = new Map();
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const ref = module.getFunctionByIndex(i);
    const f = b.getFunctionInfo(ref);
    if (f.module) continue;
    const type = `(${typeNames(b, f.params).join()}) -> (${typeNames(b, f.results).join()})`;
    const vars = f.vars.map((v) => typeNames(b, v).join()).join();
    const text = `${vars}\n${maskPositions(b.emitText(f.body), abort).replace(INLINED_LABEL, "|inlined")}`;
    const element = program.instancesByName.get(f.name) as { signature?: { toString(): string } } | undefined;
    functions.set(f.name, {
      code: digest(data.normalise(text)),
      shape: digest(data.normalise(text, "@")),
      type,
      signature: element?.signature?.toString() ?? type,
      inlined: inlinedInto(text),
    });
    if (isStartFunction(f.name)) starts.set(f.name, printStatements(b, f.body, (t) => data.normalise(maskPositions(t, abort))));
  }
  const globals: Fingerprint["globals"] = new Map();
  for (let i = 0; i < module.getNumGlobals(); i++) {
    const g = b.getGlobalInfo(module.getGlobalByIndex(i));
    if (g.module) continue;
    globals.set(g.name, { type: typeNames(b, g.type).join(), mutable: g.mutable, init: digest(data.normalise(b.emitText(g.init))) });
  }
  return { functions, globals, classes: describeClasses(program), declarations: declarationDigests(program), starts, migrate: migrationOf(program) };
}

const INLINED_LABEL = /\|inlined\.\d+/g;

/** The statements of a start function's body; `normalise` describes data and masks positions. */
function printStatements(b: Binaryen, body: number, normalise: (text: string) => string): StatementPrint[] {
  return startStatements(b, body).filter((s) => !s.frame).map((s) => {
    const text = b.emitText(s.expr);
    const called = /\(call \$("[^"]+"|[^\s()]+)/.exec(text)?.[1]?.replace(/"/g, "");
    const label = s.sets ? `the initialisation of ${s.sets}` : called ? `a call to ${called}` : `a statement ${text.trim().split(/\s/)[0]}...)`;
    return { code: digest(normaliseStatement(normalise(text).replace(INLINED_LABEL, "|inlined"))), sets: s.sets, runs: s.runs, label };
  });
}

/** A short digest of text. */
export function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** asc names the block of an inlined call `NAME|inlined.N`. */
function inlinedInto(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\(block \$([^\s()]+?)\|inlined\b/g)) names.add(m[1]!);
  return [...names].sort();
}

interface DeclaredLike {
  kind: number;
  declaration?: { range?: { start: number; end: number; source?: { text: string; sourceKind: number; internalPath: string } } };
}

/** Digests of the declaration text of the functions of the program's own sources (not the library). */
function declarationDigests(program: Program): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, element] of program.instancesByName as unknown as Map<string, DeclaredLike>) {
    const range = element.declaration?.range;
    const source = range?.source;
    if (!range || !source || source.internalPath.startsWith("~lib/") || source.sourceKind >= 2) continue;
    out.set(name, digest(source.text.slice(range.start, range.end)));
  }
  return out;
}
