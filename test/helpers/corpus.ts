// Test helper: the corpus of real AssemblyScript programs (test/fixtures/corpus/<name>/): list the
// programs and their edits, copy a program with an edit laid over it into a temporary directory,
// and replay a program's scenario (its calls, with strings marshalled) on an instance's exports.

import { cp, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { instantiate } from "@assemblyscript/loader";

/** The corpus folder. */
export const CORPUS_DIR = fileURLToPath(new URL("../fixtures/corpus/", import.meta.url));

/** The edits every program has, in this order. */
export const EDIT_NAMES = ["body-fix", "new-helper", "add-lines", "new-class", "new-generic", "new-fields"] as const;

/** One call of a scenario: an export's name and its arguments (strings are passed as AssemblyScript strings). */
export type ScenarioCall = [name: string, ...args: (string | number | boolean)[]];

/** A program's scenario.json: calls that build state, calls that probe it, and per-edit probes. */
export interface Scenario {
  /** The least number of the program's own patchable functions its entry build compiles. */
  minPatchable: number;
  /** An extra program: it does not count toward the corpus's three programs of 100+ functions, and minPatchable is its own lower floor. */
  extra?: boolean;
  /** Exports that return a string (their results are read with __getString). */
  returnsString: string[];
  /** Calls that build the program's state. */
  setup: ScenarioCall[];
  /** Calls whose results a test compares (before a patch, under it, after unload). */
  probe: ScenarioCall[];
  /** Per edit: calls that show its change; `originalTraps` when they trap on the original program. */
  edits: Record<string, { calls: ScenarioCall[]; originalTraps?: boolean }>;
}

/** A corpus program. */
export interface CorpusProgram {
  name: string;
  /** Its folder (the tree to build, minus edits/). */
  dir: string;
  /** The entry, relative to dir. */
  entry: string;
  /** Its edits' names (folders under edits/). */
  edits: string[];
}

/** Every corpus program, by name. */
export async function listCorpus(): Promise<CorpusProgram[]> {
  const programs: CorpusProgram[] = [];
  for (const entry of await readdir(CORPUS_DIR, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(CORPUS_DIR, entry.name);
    const edits = (await readdir(join(dir, "edits"), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    programs.push({ name: entry.name, dir, entry: "entry.ts", edits: sortEdits(edits) });
  }
  return programs.sort((a, b) => a.name.localeCompare(b.name));
}

/** The program's scenario.json. */
export async function readScenario(program: CorpusProgram): Promise<Scenario> {
  return JSON.parse(await readFile(join(program.dir, "scenario.json"), "utf8")) as Scenario;
}

/** The files an edit changes, relative to the program's folder (EDIT.md excluded). */
export async function editedFiles(program: CorpusProgram, edit: string): Promise<string[]> {
  const root = join(program.dir, "edits", edit);
  const files = (await readdir(root, { recursive: true })).map(String);
  const kept: string[] = [];
  for (const file of files) if (file !== "EDIT.md" && (await stat(join(root, file))).isFile()) kept.push(file);
  return kept.sort();
}

/** Copies the program (without edits/) into `dest` (default: a new temporary directory), lays `edit` over it, returns the copy's path. */
export async function materialise(program: CorpusProgram, edit?: string, dest?: string): Promise<string> {
  const out = dest ?? (await mkdtemp(join(tmpdir(), `hotwasm-corpus-${program.name}-`)));
  await cp(program.dir, out, { recursive: true, filter: (src) => src !== join(program.dir, "edits") });
  if (edit !== undefined) {
    for (const file of await editedFiles(program, edit)) await cp(join(program.dir, "edits", edit, file), join(out, file));
  }
  return out;
}

/** Removes a directory made by materialise. */
export function removeTree(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** Runs `calls` on loader-demangled exports; returns each result (strings read back). */
export function runCalls(exports: Record<string, any>, calls: ScenarioCall[], returnsString: string[]): unknown[] {
  return calls.map(([name, ...args]) => {
    const fn = exports[name];
    if (typeof fn !== "function") throw new Error(`the program has no export ${name}`);
    const pins: number[] = [];
    const values = args.map((a) => {
      if (typeof a !== "string") return a;
      const ptr = exports.__pin(exports.__newString(a)) as number;
      pins.push(ptr);
      return ptr;
    });
    try {
      const result = fn(...values);
      return returnsString.includes(name) ? exports.__getString(result) : result;
    } finally {
      for (const ptr of pins) exports.__unpin(ptr);
    }
  });
}

/** The edited files of `edit`, relative to the program's folder, with their text (a `files` map for a build). */
export async function readEdit(program: CorpusProgram, edit: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of await editedFiles(program, edit)) out[file] = await readFile(join(program.dir, "edits", edit, file), "utf8");
  return out;
}

/** The exports of a plain (not patchable) build, through the loader. */
export async function instantiatePlain(binary: Uint8Array): Promise<Record<string, any>> {
  return ((await instantiate(binary as BufferSource, {})) as { exports: Record<string, any> }).exports;
}

/** Like runCalls, but a call that traps gives "trap: <first line of the message>" and the rest still run. */
export function playCalls(exports: Record<string, any>, calls: ScenarioCall[], scenario: Scenario): unknown[] {
  return calls.map((call) => {
    try {
      return runCalls(exports, [call], scenario.returnsString)[0];
    } catch (err) {
      return `trap: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`;
    }
  });
}

function sortEdits(edits: string[]): string[] {
  const rank = (e: string) => { const i = (EDIT_NAMES as readonly string[]).indexOf(e); return i < 0 ? EDIT_NAMES.length : i; };
  return edits.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
