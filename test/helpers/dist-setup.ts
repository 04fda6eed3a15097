// Vitest global setup: pool workers run the compiled worker script in dist/ (a worker thread
// needs JavaScript, and vitest only transforms the main thread), so rebuild dist/ first when a
// source under host/ is newer than it. `npm test` builds before running, so this is then a no-op.

import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Rebuilds dist/ when it is missing or older than host/. */
export default function setup(): void {
  const built = statSync(join(root, "dist/host/pool/pool-worker.js"), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (newestIn(join(root, "host")) <= built) return;
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
  } catch {
    // Type errors still emit JavaScript; `npm run typecheck` reports them.
  }
}

function newestIn(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(path) : statSync(path).mtimeMs);
  }
  return newest;
}
