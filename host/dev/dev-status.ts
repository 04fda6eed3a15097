// What a dev client tells its owner (the page's banner, `serve --dev`'s terminal), and one line
// of text for each.

import type { DevPatch, DevProblem } from "./dev-protocol.js";

/** One change in a dev client's state. */
export type DevStatus =
  | { type: "connected"; base: string }
  | { type: "disconnected"; code: "E_DEV_UNREACHABLE"; message: string; retry_ms: number }
  | { type: "building"; seq: number; files: string[] }
  | { type: "applied"; patch: DevPatch; hp_id: string | null; apply_ms: number }
  | { type: "problem"; problem: DevProblem }
  | { type: "failed"; seq: number; code: string; message: string }
  | { type: "reload"; base: string; reason: string };

/** The status as one line of text (without a trailing newline; a compile log follows on more lines). */
export function describeDevStatus(s: DevStatus): string {
  switch (s.type) {
    case "connected":
      return `connected to the dev server (base ${s.base.slice(0, 12)})`;
    case "disconnected":
      return `${s.code}: ${s.message}; trying again in ${s.retry_ms} ms`;
    case "building":
      return `building a patch for ${s.files.join(", ") || "the sources"}`;
    case "applied":
      if (s.hp_id === null) return `dev patch ${s.patch.seq}: the sources match the base again; no dev patch in force`;
      return `dev patch ${s.patch.seq} applied in ${s.apply_ms.toFixed(1)} ms: ${s.patch.changed.map(shortName).join(", ")}`;
    case "problem":
      return describeProblem(s.problem);
    case "failed":
      return `dev patch ${s.seq} not applied: ${s.code}: ${s.message}`;
    case "reload":
      return `reload needed: ${s.reason}`;
  }
}

/** A problem as text: its code and message, each rude edit, or the compiler's messages. */
export function describeProblem(p: DevProblem): string {
  if (p.kind === "compile") return `compile error in ${p.files.join(", ") || "the sources"}:\n${p.log.trimEnd() || p.message}`;
  if (p.kind === "refused") {
    return `this edit cannot be patched into the running program:\n${p.problems.map((r) => `  ${r.code}: ${r.message}`).join("\n")}`;
  }
  return `${p.code}: ${p.message}`;
}

/** `assembly/board/rule` -> `board/rule`. */
export function shortName(symbol: string): string {
  return symbol.replace(/^assembly\//, "");
}
