// The AssemblyScript workloads of the call-overhead benchmark and how each variant is built:
// plain -O3, patchable (optionally with the hot function left out), the indirect-call reference,
// and patches that replace the hot function with the same code.

import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildPatchable, NO_CONFIG } from "../compiler/base/build.js";
import { buildPlainPatch } from "../compiler/patch/build-plain-patch.js";
import { runAsc } from "../compiler/common/run-asc.js";
import { makeIndirectTransform } from "./indirect-transform.js";

/** One workload: a program in bench/assembly with an exported `run(n)`, and its hot function. */
export interface Workload {
  name: string;
  title: string;
  /** The function the patch replaces (a symbol as loadHP takes it). */
  hot: string;
  /** The argument of run() for a full and a quick run. */
  arg: number;
  quickArg: number;
  /** Patches of the hot function: file in bench/assembly/patches, its export, refs. */
  patches: { label: string; file: string; export: string; ref_config?: Record<string, string> }[];
  /** How to leave the hot code out of the patchable set, to show what that saves. */
  exclude?: { label: string; patchable?: string[]; markBefore?: RegExp };
}

/** The four workloads of the issue. */
export const WORKLOADS: Workload[] = [
  {
    name: "fib", title: "recursion: fib(32)", hot: "fib", arg: 32, quickArg: 20,
    patches: [
      { label: "patched", file: "fib", export: "fib" },
      { label: "patched, recursing through the base", file: "fib-via-base", export: "fib", ref_config: { fib: "fib" } },
    ],
    exclude: { label: "fib marked @hotwasm-nopatch", markBefore: /^export function fib\(/m },
  },
  {
    name: "loop", title: "tight loop calling mix() 20M times", hot: "mix", arg: 20_000_000, quickArg: 100_000,
    patches: [{ label: "patched", file: "loop", export: "mix" }],
    exclude: { label: "--patchable '!mix'", patchable: ["!mix"] },
  },
  {
    name: "strings", title: "strings and arrays: build, join, split, sort, hash", hot: "hashWord", arg: 400, quickArg: 4,
    patches: [{ label: "patched", file: "strings", export: "hashWord" }],
  },
  {
    name: "methods", title: "methods: vectors, getters, virtual calls", hot: "Vec#dot", arg: 20_000, quickArg: 100,
    patches: [{ label: "patched", file: "methods", export: "dot" }],
    exclude: { label: "inner classes marked @hotwasm-nopatch", markBefore: /^(class (Vec|Circle|Rect|Body) )/m },
  },
];

/** The project's root directory (where package.json is), from the source or the built file. */
export function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the project root");
    dir = up;
  }
  return dir;
}

/** Options every workload build shares: -O3, no asconfig.json. */
const common = () => ({ cwd: findProjectRoot(), config: false as const, outFile: false as const, ascArgs: ["-O3"] });

/** The plain -O3 build (no transform). */
export async function buildPlain(w: Workload): Promise<Uint8Array> {
  return (await buildPatchable({ ...common(), entries: [toEntryPath(w)], plain: true })).binary;
}

/** The patchable build; `exclude` applies the workload's way of leaving its hot code out. */
export async function buildWithPatchable(w: Workload, exclude = false): Promise<Uint8Array> {
  const entry = toEntryPath(w);
  const rule = exclude ? w.exclude : undefined;
  const files = rule?.markBefore ? { [entry]: await markSource(entry, rule.markBefore) } : undefined;
  return (await buildPatchable({ ...common(), entries: [entry], files, patchable: rule?.patchable })).binary;
}

/** The plain build with every call of the hot function made indirect (the reference). */
export async function buildIndirect(w: Workload): Promise<Uint8Array> {
  const argv = [toEntryPath(w), "--config", NO_CONFIG, "--exportRuntime", "-O3"];
  return (await runAsc({ argv, cwd: findProjectRoot(), transforms: [makeIndirectTransform(w.hot)] })).binary;
}

/** A patch replacing the hot function with the same code, built against `base`. */
export function buildHotPatch(w: Workload, patch: Workload["patches"][number], base: Uint8Array): Promise<Uint8Array> {
  return buildPlainPatch({
    entry: `bench/assembly/patches/${patch.file}.ts`, base, cwd: findProjectRoot(),
    replace_config: { [patch.export]: w.hot }, ref_config: patch.ref_config,
  });
}

function toEntryPath(w: Workload): string {
  return `bench/assembly/${w.name}.ts`;
}

/** The source with a @hotwasm-nopatch comment before every match of `where`. */
async function markSource(entry: string, where: RegExp): Promise<string> {
  const text = await readFile(join(findProjectRoot(), entry), "utf8");
  return text.replace(new RegExp(where.source, "gm"), (m) => `// @hotwasm-nopatch\n${m}`);
}
