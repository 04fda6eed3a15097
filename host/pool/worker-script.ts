// Where the worker script is. A worker needs runnable JavaScript, so it is always the compiled
// pool-worker.js: next to this module in dist/, or, when this module runs from the TypeScript
// sources (vitest), the twin in the project's dist/ (`npm run build:ts` makes it).

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { HotwasmError } from "../errors.js";

/** The URL of the compiled worker script; throws E_WORKER_FAILED when it is missing. */
export function resolveWorkerScript(): URL {
  const fromSources = import.meta.url.endsWith(".ts");
  // From <root>/host/pool/worker-script.ts the compiled twin is <root>/dist/host/pool/pool-worker.js.
  const url = fromSources ? new URL("../../dist/host/pool/pool-worker.js", import.meta.url) : new URL("./pool-worker.js", import.meta.url);
  if (!existsSync(fileURLToPath(url))) {
    throw new HotwasmError("E_WORKER_FAILED", `the compiled worker script ${fileURLToPath(url)} is missing; run npm run build:ts`);
  }
  return url;
}
