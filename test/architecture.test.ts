// The house rules of the source tree (docs/architecture.md): no import cycles among source files,
// imports between rooms running one way (lower rooms never import higher ones), nothing importing
// the CLI, and no folder of source holding more than 20 files.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const SOURCE_DIRS = ["host", "compiler", "cli", "dev", "example", "bench", "web/page"];
const MAX_FILES = 20;

/** host/ rooms from the bottom up; a file may import its own room and rooms ranked lower. */
const HOST_RANKS: [string, number][] = [
  ["host/errors.ts", 0], ["host/wasm", 1], ["host/model", 2], ["host/fit", 3], ["host/traps", 3], ["host/link", 4],
  ["host/lifecycle", 5], ["host/core", 6], ["host/admin", 7], ["host/dev", 8], ["host/pool", 9],
  ["host/fleet", 9], ["host/node", 10], ["host/index.ts", 11], ["host/node.ts", 12],
];
/** compiler/ rooms from the bottom up (all above host/'s lower rooms, which they may use). */
const COMPILER_RANKS: [string, number][] = [
  ["compiler/common", 0], ["compiler/base", 1], ["compiler/patch", 2], ["compiler/diff", 3],
  ["compiler/index.ts", 4], ["compiler/transform.ts", 4],
];
/** The host rooms build-time code may use: the vocabulary, not the running host. */
const HOST_ROOMS_FOR_COMPILER = ["host/errors.ts", "host/wasm", "host/model", "host/fit"];

describe("the source tree", () => {
  const graph = importGraph();

  it("has no import cycles among source files", () => {
    expect(findCycles(graph)).toEqual([]);
  });

  it("imports run one way between the rooms of host/ and compiler/", () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      for (const target of targets) {
        const why = ruleBroken(file, target);
        if (why) wrong.push(`${file} -> ${target}: ${why}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("every host/ and compiler/ file is in a ranked room", () => {
    const unranked = [...graph.keys()].filter((f) => (f.startsWith("host/") && rankOf(f, HOST_RANKS) === null) || (f.startsWith("compiler/") && rankOf(f, COMPILER_RANKS) === null));
    expect(unranked).toEqual([]);
  });

  it("no folder of source holds more than 20 files", () => {
    const counts = new Map<string, number>();
    for (const file of graph.keys()) counts.set(dirname(file), (counts.get(dirname(file)) ?? 0) + 1);
    const big = [...counts].filter(([, n]) => n > MAX_FILES).map(([d, n]) => `${d}: ${n}`);
    expect(big).toEqual([]);
  });

  it("the checks see a cycle and a wrong-way import when there is one", () => {
    const bad = new Map([["host/model/a.ts", ["host/lifecycle/b.ts"]], ["host/lifecycle/b.ts", ["host/model/a.ts"]]]);
    expect(findCycles(bad)).toEqual([["host/lifecycle/b.ts", "host/model/a.ts"]]);
    expect(ruleBroken("host/model/a.ts", "host/lifecycle/b.ts")).toMatch(/lower room/);
    expect(ruleBroken("host/core/host.ts", "cli/main.ts")).toMatch(/CLI/);
    expect(ruleBroken("compiler/base/build.ts", "host/core/host.ts")).toMatch(/build-time/);
  });
});

/** Every source file (relative path) with the source files it imports by relative path. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const dir of SOURCE_DIRS) {
    for (const file of listTs(join(root, dir))) {
      const rel = relative(root, file);
      const text = readFileSync(file, "utf8");
      const targets = new Set<string>();
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
        targets.add(normalize(join(dirname(rel), m[1])).replace(/\.js$/, ".ts"));
      }
      graph.set(rel, [...targets]);
    }
  }
  return graph;
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTs(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** Strongly connected components of more than one file (or a file importing itself), sorted. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles.sort();
}

/** Why `file` must not import `target`, or null when it may. */
function ruleBroken(file: string, target: string): string | null {
  if (target.startsWith("cli/") && !file.startsWith("cli/")) return "nothing outside the CLI imports the CLI";
  if (file.startsWith("host/") && /^(compiler|dev|cli|example|bench)\//.test(target)) return "the runtime does not import build-time code";
  if (file.startsWith("compiler/") && target.startsWith("host/")) {
    const allowed = HOST_ROOMS_FOR_COMPILER.some((room) => target === room || target.startsWith(`${room}/`));
    return allowed ? null : "build-time code uses only host/'s vocabulary (errors, wasm, model) and its checks (fit)";
  }
  for (const ranks of [HOST_RANKS, COMPILER_RANKS]) {
    const from = rankOf(file, ranks);
    const to = rankOf(target, ranks);
    if (from !== null && to !== null && to > from) return "a lower room imports a higher one";
  }
  return null;
}

function rankOf(file: string, ranks: [string, number][]): number | null {
  for (const [room, rank] of ranks) if (file === room || dirname(file) === room) return rank;
  return null;
}
