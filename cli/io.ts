// What a CLI command may touch: its output streams, the working directory, the version.

/** The CLI's window on the world (tests pass their own). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  cwd: string;
  version: string;
  /** Environment variables (HOTWASM_URL, HOTWASM_TOKEN); default none. */
  env?: Record<string, string | undefined>;
}

/** A mistake in how a command was called (exit code 2). */
export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
}

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
