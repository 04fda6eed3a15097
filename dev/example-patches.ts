// The project's example patches (patches/*.ts), built with `hotwasm patch` against the running
// base from the very sources it was built from, for the page's load and unload buttons.

import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { buildPatch } from "../compiler/patch/build-patch.js";
import type { DevProblem } from "../host/dev/dev-protocol.js";
import { toDevProblem } from "./describe-failure.js";

/** One example patch. */
export interface ExamplePatch {
  /** The file name without .ts. */
  name: string;
  /** Its path relative to the project. */
  file: string;
  /** The first sentence of its header comment. */
  description: string;
  /** Patch export -> base function. */
  replaces: Record<string, string>;
  /** The patch, or null when it did not build. */
  binary: Uint8Array | null;
  problem: DevProblem | null;
}

/** Builds every patches/*.ts of the project in `cwd` against `base` (built from `sources`). */
export async function buildExamplePatches(o: { cwd: string; dir: string; base: Uint8Array; sources: Record<string, string> }): Promise<ExamplePatch[]> {
  let names: string[];
  try {
    names = (await readdir(resolve(o.cwd, o.dir))).filter((n) => n.endsWith(".ts")).sort();
  } catch {
    return [];
  }
  const out: ExamplePatch[] = [];
  for (const fileName of names) {
    const file = join(o.dir, fileName).replace(/\\/g, "/");
    const description = headerSentence(await readFile(resolve(o.cwd, file), "utf8"));
    const name = fileName.replace(/\.ts$/, "");
    try {
      const built = await buildPatch({ patch: file, base: o.base, cwd: o.cwd, root: ".", files: o.sources });
      out.push({ name, file, description, replaces: built.meta.replace_config ?? {}, binary: built.binary, problem: null });
    } catch (err) {
      out.push({ name, file, description, replaces: {}, binary: null, problem: toDevProblem(err, 0, [file]) });
    }
  }
  return out;
}

/** The first sentence of the file's leading // comment, without a "Title:" in front. */
function headerSentence(source: string): string {
  const comment: string[] = [];
  for (const line of source.split("\n")) {
    const m = /^\s*\/\/\s?(.*)$/.exec(line);
    if (!m) break;
    comment.push(m[1]!.trim());
  }
  const text = comment.join(" ").replace(/^[\w -]{1,40}:\s+/, "");
  const end = text.search(/\.(\s|$)/);
  const sentence = end < 0 ? text : text.slice(0, end + 1);
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}
