// Test helper: a temporary copy of the web/ project (to edit its sources), and bounded waiting.

import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root } from "./example-app.js";

/** Copies web/ (asconfig.json, assembly/, page/, patches/) to a new temporary directory. */
export async function copyWebProject(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "hotwasm-web-"));
  for (const part of ["asconfig.json", "assembly", "page", "patches"]) await cp(join(root, "web", part), join(dir, part), { recursive: true });
  return dir;
}

/** Replaces `from` by `to` in the file (throws if `from` is not there). */
export async function editFile(path: string, from: string, to: string): Promise<void> {
  const text = await readFile(path, "utf8");
  if (!text.includes(from)) throw new Error(`${path} has no ${JSON.stringify(from)}`);
  await writeFile(path, text.replace(from, to));
}

/** Polls `pred` every 25 ms until it holds; fails after `ms` with `what`. */
export async function waitFor(pred: () => boolean, what: string | (() => string), ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
