// Source positions baked into code: asc's checks (assert, null checks, checked casts, throw) call
// abort(message, file, line, column). An edit that only moves code changes those lines and
// columns and nothing else, so fingerprints mask them: a function that differs from the base only
// in its positions is the same function, and stays the base's (with the base's positions).

import type { Program } from "assemblyscript";

/** The internal name of the program's abort function (`~lib/builtins/abort`, or a --use replacement). */
export function abortFunctionOf(program: Program): string | null {
  try {
    return (program as unknown as { abortInstance: { internalName: string } | null }).abortInstance?.internalName ?? null;
  } catch {
    return null;
  }
}

/** `text` (a function printed by Binaryen) with the line and column of every abort call masked. */
export function maskPositions(text: string, abort: string | null): string {
  if (!abort) return text;
  const head = `(call $${abort}`;
  let out = "";
  let from = 0;
  for (let at = text.indexOf(head, from); at >= 0; at = text.indexOf(head, from)) {
    const afterName = at + head.length;
    // The name must end here (not be a prefix of a longer name).
    if (!/[\s)]/.test(text[afterName] ?? "")) { out += text.slice(from, afterName); from = afterName; continue; }
    const operands = readOperands(text, afterName, 4);
    out += text.slice(from, afterName);
    from = afterName;
    if (!operands) continue;
    for (const [i, op] of operands.entries()) {
      if (i < 2 || !/^\(i32\.const -?\d+\)$/.test(text.slice(op.start, op.end))) continue;
      out += text.slice(from, op.start) + "(i32.const #)";
      from = op.end;
    }
  }
  return out + text.slice(from);
}

/** The spans of the next `count` parenthesised operands from `pos`, or null when there are fewer. */
function readOperands(text: string, pos: number, count: number): { start: number; end: number }[] | null {
  const out: { start: number; end: number }[] = [];
  let i = pos;
  while (out.length < count) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text[i] !== "(") return null;
    const start = i;
    let depth = 0;
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (c === '"') {
        for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      } else if (c === "(") depth++;
      else if (c === ")" && --depth === 0) { i++; break; }
    }
    if (depth !== 0) return null;
    out.push({ start, end: i });
  }
  return out;
}
