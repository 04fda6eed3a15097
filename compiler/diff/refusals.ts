// The edits a patch cannot apply, one cause each: what follows from a refused class change (the
// field accessors and collector visitor the compiler generates for the class, library and
// compiler-generated code that changed with it — the same compiler cannot compile its own library
// differently unless such a change makes it) is folded into that refusal as details instead of
// being listed as causes of their own. The error's message has one cause per line, with where the
// edit is.

import { HotwasmError, type ErrorCode } from "../../host/errors.js";
import type { Manifest } from "../../host/model/manifest.js";

/** One edit a patch cannot apply. */
export interface RudeEdit {
  code: ErrorCode;
  message: string;
  /** The function, class or global it is about. */
  symbol?: string;
  /** Where the edit is: "file:line:column" of the declaration in the edited sources. */
  at?: string | null;
  /** What follows from it (generated code of the same class, ids moved by it). */
  details?: { code: ErrorCode; message: string; symbol?: string }[];
}

/** Where a symbol of the edited program is declared, or null. */
export type Locate = (symbol: string) => string | null;

const CLASS_CODES = new Set<ErrorCode>(["E_LAYOUT_MISMATCH", "E_CLASS_ID_MISMATCH"]);
const GENERATED = new Set(["generated field accessor", "generated collector visitor"]);

/** Folds consequences into their causes. */
export function foldRefusals(rude: RudeEdit[], manifest: Manifest): RudeEdit[] {
  const reasons = new Map(manifest.functions.map((f) => [f.name, f.reason]));
  const out = rude.map((r) => ({ ...r }));
  const causes = out.filter((r) => CLASS_CODES.has(r.code) && r.symbol);
  const folded = new Set<RudeEdit>();
  const into = (cause: RudeEdit, r: RudeEdit) => {
    (cause.details ??= []).push({ code: r.code, message: r.message, ...(r.symbol ? { symbol: r.symbol } : {}) });
    folded.add(r);
  };
  for (const r of out) {
    // The class's generated accessors and visitor (and its constructor, whose parameter properties
    // are its fields) change with its fields.
    const generated = r.symbol && (GENERATED.has(reasons.get(r.symbol) ?? "") || r.symbol.endsWith("#constructor"));
    const owner = generated && (r.code === "E_NOT_PATCHABLE" || r.code === "E_SIGNATURE_MISMATCH") ? causes.find((c) => isMemberOf(r.symbol!, c.symbol!)) : undefined;
    if (owner) into(owner, r);
    else if (r.code === "E_NOT_PATCHABLE" && r.symbol?.startsWith("~") && causes.length > 0) into(causes[0]!, r);
  }
  return out.filter((r) => !folded.has(r));
}

/** Throws one HotwasmError for the rude edits: the first cause's code, every cause in `details.problems`. */
export function throwRefusals(rude: RudeEdit[], manifest: Manifest): never {
  const problems = foldRefusals(rude, manifest);
  const count = `${problems.length} cause${problems.length === 1 ? "" : "s"}`;
  throw new HotwasmError(problems[0]!.code, `the edit cannot be applied as a patch (${count}):\n${formatRefusals(problems)}`, { details: { problems } });
}

/** One line per cause (and one indented line for what was folded into it). */
export function formatRefusals(problems: readonly RudeEdit[]): string {
  const lines: string[] = [];
  for (const p of problems) {
    lines.push(`  ${p.at ? `${p.at}: ` : ""}${p.code}: ${p.message}`);
    if (p.details?.length) {
      const names = p.details.map((d) => d.symbol ?? d.message);
      const shown = names.slice(0, 6).map(shortName).join(", ") + (names.length > 6 ? `, and ${names.length - 6} more` : "");
      lines.push(`      with it: ${shown}`);
    }
  }
  return lines.join("\n");
}

/** `C#get:x`, `C#set:x`, `C~visit`, `C#x` belong to class C. */
function isMemberOf(symbol: string, cls: string): boolean {
  return symbol.startsWith(`${cls}#`) || symbol === `${cls}~visit`;
}

function shortName(name: string): string {
  return name.slice(name.lastIndexOf("/", name.search(/[#~.]|$/)) + 1);
}
