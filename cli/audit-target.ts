// Where `serve --audit-log` writes: a file (appended), stdout with "-", or nowhere by default, so
// the audit lines never mix into the program's own output unasked.

import { resolve } from "node:path";
import type { CliIo } from "./io.js";

/** The openAuditLog target for `--audit-log VALUE`: a path, io.out for "-", or a sink that drops lines. */
export function auditTarget(value: string | undefined, io: CliIo): string | ((line: string) => void) {
  if (value === undefined) return () => {};
  if (value === "-") return (line) => io.out(line);
  return resolve(io.cwd, value);
}
