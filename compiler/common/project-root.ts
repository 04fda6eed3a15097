// The project root: the folder every source path of a build, a patch and a diff is relative to,
// so that the same sources give the same names (and the same patch) from any working directory.
// It is the nearest folder holding asconfig.json or package.json, from where the entries (or the
// working directory) are, unless given (--root).

import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { HotwasmError } from "../../host/errors.js";
import type { Manifest } from "../../host/model/manifest.js";

/** How a root was found. */
export type RootMarker = "asconfig.json" | "package.json" | "--root" | "working directory";

/** A project root. */
export interface ProjectRoot {
  /** Absolute path. */
  dir: string;
  marker: RootMarker;
}

const MARKERS = ["asconfig.json", "package.json"] as const;

/** The root for `paths` (relative to `cwd`; none: `cwd` itself), or `explicit` (relative to `cwd`). */
export function findProjectRoot(cwd: string, paths: readonly string[] = [], explicit?: string): ProjectRoot {
  if (explicit !== undefined) return { dir: resolve(cwd, explicit), marker: "--root" };
  const start = paths.length > 0 ? dirname(resolve(cwd, paths[0]!)) : resolve(cwd);
  for (let dir = start; ; dir = dirname(dir)) {
    const marker = MARKERS.find((m) => existsSync(join(dir, m)));
    if (marker) return { dir, marker };
    if (dirname(dir) === dir) break;
  }
  return { dir: resolve(cwd), marker: "working directory" };
}

/** `path` (relative to `cwd`, or absolute) relative to the root, with forward slashes; refuses paths outside it. */
export function pathInRoot(root: ProjectRoot, cwd: string, path: string): string {
  const absolute = isAbsolute(path) ? path : resolve(cwd, path);
  const rel = relative(root.dir, absolute).replace(/\\/g, "/");
  if (rel === "" || rel.startsWith("../") || rel === ".." || isAbsolute(rel)) {
    throw new HotwasmError("E_PATCH_SOURCE", `${path} lies outside the project root ${root.dir} (found by ${describeMarker(root)}); pass --root to choose another`);
  }
  return rel;
}

/** In-memory sources keyed relative to `cwd`, keyed relative to the root instead. */
export function filesInRoot(root: ProjectRoot, cwd: string, files: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!files) return undefined;
  const out: Record<string, string> = {};
  for (const [path, text] of Object.entries(files)) out[pathInRoot(root, cwd, path)] = text;
  return out;
}

/** Throws E_ROOT_MISMATCH when the base's entries are not in this root (nor among `files`, keyed relative to it). */
export function checkRootHoldsBase(root: ProjectRoot, manifest: Manifest, files?: Record<string, string>): void {
  const missing = manifest.entries.map((e) => `${e}.ts`).filter((e) => !files?.[e] && !existsSync(join(root.dir, e)));
  if (missing.length === 0) return;
  const built = manifest.project ? `${manifest.project.root} (found by its ${manifest.project.marker})` : "another folder (the base records none)";
  throw new HotwasmError("E_ROOT_MISMATCH",
    `the base was built from the project at ${built}, but this project root is ${root.dir} (found by ${describeMarker(root)}), which has no ${missing.join(", ")}; ` +
    `run from the base's project or pass --root`, { details: { baseRoot: manifest.project?.root ?? null, root: root.dir, missing } });
}

/** "its asconfig.json", "--root", ... for messages. */
export function describeMarker(root: ProjectRoot): string {
  return root.marker === "--root" || root.marker === "working directory" ? root.marker : `its ${root.marker}`;
}
