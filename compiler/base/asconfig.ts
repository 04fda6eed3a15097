// What hotwasm itself reads of asconfig.json (asc reads the rest): its entries and its targets,
// so that `hotwasm build` picks the target asc would (`--target`, else "release") and writes to
// that target's outFile. An `extends` chain is followed as asc follows it: each file's target
// options, then its general options, win over those of the file it extends; entries add up.

import { readFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { HotwasmError, describeError } from "../../host/errors.js";

/** asc's default target. */
export const DEFAULT_TARGET = "release";
/** Longest `extends` chain followed. */
export const MAX_EXTENDS = 16;

/** The parts of an asconfig.json hotwasm uses. */
export interface Asconfig {
  /** Entries of the whole chain, relative to the first file's folder. */
  entries: string[];
  /** Target names of the whole chain, in order of first appearance. */
  targets: string[];
  /** The options of a target as asc merges them; outFile absolute (a path option is relative to the file that sets it). */
  optionsOf(target: string): { outFile?: string; optimizeLevel?: number; shrinkLevel?: number };
}

/** Reads `file` in `cwd` and the files it extends; null when there is none. E_READ_FAILED when one is missing or not JSON of asc's shape. */
export async function readAsconfig(cwd: string, file = "asconfig.json"): Promise<Asconfig | null> {
  const first = resolve(cwd, file);
  const chain: Loaded[] = [];
  const seen = new Set<string>();
  for (let path: string | null = first; path !== null && !seen.has(path);) {
    if (chain.length >= MAX_EXTENDS) throw new HotwasmError("E_READ_FAILED", `${shown(cwd, first)} extends more than ${MAX_EXTENDS} files`);
    seen.add(path);
    const json = await readConfig(cwd, path, chain.length === 0 ? null : chain[chain.length - 1]!.path);
    if (json === null) return null;
    chain.push({ path, json });
    if (json.extends === undefined) break;
    if (typeof json.extends !== "string") throw new HotwasmError("E_READ_FAILED", `${shown(cwd, path)}: "extends" is not a string`);
    path = resolve(dirname(path), json.extends);
  }
  const base = dirname(first);
  const entries: string[] = [];
  const targets: string[] = [];
  for (const { path, json } of chain) {
    if (Array.isArray(json.entries)) for (const e of json.entries) if (typeof e === "string") entries.push(relative(base, resolve(dirname(path), e)));
    if (isObject(json.targets)) for (const t of Object.keys(json.targets)) if (!targets.includes(t)) targets.push(t);
  }
  return {
    entries,
    targets,
    optionsOf(target) {
      const out: { outFile?: string; optimizeLevel?: number; shrinkLevel?: number } = {};
      // The first file's target options win, then its general options, then the extended file's.
      for (const { path, json } of chain) {
        const layers = [isObject(json.targets) && Object.hasOwn(json.targets, target) && isObject(json.targets[target]) ? json.targets[target] : {}, isObject(json.options) ? json.options : {}];
        for (const layer of layers) {
          if (out.outFile === undefined && typeof layer.outFile === "string") out.outFile = resolve(dirname(path), layer.outFile);
          if (out.optimizeLevel === undefined && typeof layer.optimizeLevel === "number") out.optimizeLevel = layer.optimizeLevel;
          if (out.shrinkLevel === undefined && typeof layer.shrinkLevel === "number") out.shrinkLevel = layer.shrinkLevel;
        }
      }
      return out;
    },
  };
}

interface Loaded { path: string; json: Record<string, unknown> }

/** One file of the chain as a JSON object; null when the first is missing (a missing extended file is an error). */
async function readConfig(cwd: string, path: string, extendedBy: string | null): Promise<Record<string, unknown> | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as { code?: unknown }).code === "ENOENT" && extendedBy === null) return null;
    const from = extendedBy === null ? "" : ` (extended by ${shown(cwd, extendedBy)})`;
    const why = (err as { code?: unknown }).code === "ENOENT" ? "no such file or directory" : describeError(err);
    throw new HotwasmError("E_READ_FAILED", `cannot read ${shown(cwd, path)}${from}: ${why}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new HotwasmError("E_READ_FAILED", `${shown(cwd, path)} is not valid JSON: ${describeError(cause)}`, { cause });
  }
  if (!isObject(json)) throw new HotwasmError("E_READ_FAILED", `${shown(cwd, path)} is not a JSON object`);
  return json;
}

function shown(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith("..") ? path : rel;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
