// The one place the dev loop turns a failed build into what pages and the terminal show: the
// edits a patch cannot apply, the compiler's messages, or the error itself.

import type { DevProblem } from "../host/dev/dev-protocol.js";
import { describeError, isHotwasmError } from "../host/errors.js";

/** A failure of the build started by saving `files`, as a DevProblem. */
export function toDevProblem(err: unknown, seq: number, files: string[]): DevProblem {
  const base = { seq, files, problems: [] as DevProblem["problems"], log: "" };
  if (isHotwasmError(err)) {
    const listed = Array.isArray(err.details.problems) ? (err.details.problems as DevProblem["problems"]) : [];
    if (listed.length > 0) return { ...base, kind: "refused", code: err.code, message: err.message, problems: listed.map((p) => ({ code: p.code, message: p.message })) };
    return { ...base, kind: "failed", code: err.code, message: err.message };
  }
  if (err instanceof Error && err.name === "BuildError" && typeof (err as { log?: unknown }).log === "string") {
    const log = stripAnsi((err as unknown as { log: string }).log).trimEnd();
    return { ...base, kind: "compile", code: "E_COMPILE_ERROR", message: firstError(log) ?? stripAnsi(err.message), log };
  }
  return { ...base, kind: "failed", code: "E_INTERNAL", message: describeError(err) };
}

/** The first "ERROR ..." line of asc's output. */
function firstError(log: string): string | null {
  return log.split("\n").find((l) => /^\s*ERROR\b/.test(l))?.trim() ?? null;
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}
