// Test helper: makes directories unwritable for real — `chattr +i` when the tests run as root (root
// ignores permission bits), else mode 0555 — and undoes it (call `restore` in afterEach).

import { execFileSync } from "node:child_process";
import { chmod } from "node:fs/promises";

const made: string[] = [];

/** Makes each of `dirs` refuse new, renamed and removed entries. */
export async function makeReadOnly(...dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    if (process.getuid?.() === 0) execFileSync("chattr", ["+i", dir]);
    else await chmod(dir, 0o555);
    made.push(dir);
  }
}

/** Makes every directory made read-only writable again. */
export async function restoreWritable(): Promise<void> {
  for (const dir of made.splice(0)) {
    if (process.getuid?.() === 0) execFileSync("chattr", ["-i", dir]);
    else await chmod(dir, 0o755);
  }
}
