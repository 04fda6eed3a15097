// The entry files of `hotwasm build` and `hotwasm dev`: those named on the command line, else
// asconfig.json's (asc reads them), else asinit's assembly/index.ts; each a readable .ts file.

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { readAsconfig, type Asconfig } from "../compiler/base/asconfig.js";
import { CliUsageError, type CliIo } from "./io.js";
import { checkSourceName, readInput } from "./read-input.js";

/** asinit's entry file: the entry when neither the command nor asconfig.json names one. */
export const DEFAULT_ENTRY = "assembly/index.ts";

/** The entries to pass on (none: asconfig.json's apply) and the project's asconfig.json, relative to `cwd`. */
export async function resolveEntries(io: CliIo, cwd: string, named: string[]): Promise<{ entries: string[] | undefined; asconfig: Asconfig | null }> {
  const asconfig = await readAsconfig(cwd);
  const here = { ...io, cwd };
  for (const entry of named) {
    checkSourceName(entry, "the entry");
    await readInput(here, entry, "the entry");
  }
  if (named.length > 0) return { entries: named, asconfig };
  if (asconfig && asconfig.entries.length > 0) return { entries: undefined, asconfig };
  if (!existsSync(resolve(cwd, DEFAULT_ENTRY))) {
    throw new CliUsageError(`name the entry files, or list them in asconfig.json's "entries" (there is no ${DEFAULT_ENTRY} in ${cwd} either)`);
  }
  return { entries: [DEFAULT_ENTRY], asconfig };
}
