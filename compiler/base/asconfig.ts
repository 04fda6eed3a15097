// What hotwasm itself reads of asconfig.json (asc reads the rest): its entries and its targets,
// so that `hotwasm build` picks the target asc would (`--target`, else "release") and writes to
// that target's outFile.

import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { HotwasmError, describeError } from "../../host/errors.js";

/** asc's default target. */
export const DEFAULT_TARGET = "release";

/** The parts of an asconfig.json hotwasm uses. */
export interface Asconfig {
  entries: string[];
  /** Target names, in the file's order. */
  targets: string[];
  /** The options of a target merged over the general ones (as asc merges them). */
  optionsOf(target: string): { outFile?: string; optimizeLevel?: number; shrinkLevel?: number };
}

/** Reads `file` in `cwd`; null when there is none. E_READ_FAILED when it is not JSON of asc's shape. */
export async function readAsconfig(cwd: string, file = "asconfig.json"): Promise<Asconfig | null> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), "utf8");
  } catch (err) {
    if ((err as { code?: unknown }).code === "ENOENT") return null;
    throw new HotwasmError("E_READ_FAILED", `cannot read ${file}: ${describeError(err)}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new HotwasmError("E_READ_FAILED", `${file} is not valid JSON: ${describeError(cause)}`, { cause });
  }
  if (!isObject(json)) throw new HotwasmError("E_READ_FAILED", `${file} is not a JSON object`);
  const targets = isObject(json.targets) ? json.targets : {};
  const general = isObject(json.options) ? json.options : {};
  return {
    entries: Array.isArray(json.entries) ? json.entries.filter((e): e is string => typeof e === "string") : [],
    targets: Object.keys(targets),
    optionsOf(target) {
      const own = Object.hasOwn(targets, target) && isObject(targets[target]) ? targets[target] : {};
      const merged = { ...general, ...own };
      return {
        outFile: typeof merged.outFile === "string" ? merged.outFile : undefined,
        optimizeLevel: typeof merged.optimizeLevel === "number" ? merged.optimizeLevel : undefined,
        shrinkLevel: typeof merged.shrinkLevel === "number" ? merged.shrinkLevel : undefined,
      };
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
