// Reading the project's Markdown as the forge renders it, for the docs tests: the pages, their
// heading anchors (GitHub's slugs), their relative links and the repository paths they name.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root directory. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** README.md and every page under docs/, as repository-relative paths. */
export function listDocPages(root: string = ROOT): string[] {
  const pages = ["README.md"];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = posix.join(rel, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".md")) pages.push(path);
    }
  };
  if (existsSync(join(root, "docs"))) walk("docs");
  return pages.sort();
}

/** The text with fenced code blocks blanked (line numbers kept). */
export function withoutFences(text: string): string {
  let fenced = false;
  return text.split("\n").map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return "";
    }
    return fenced ? "" : line;
  }).join("\n");
}

/** GitHub's anchor for a heading's text: lowercase, punctuation dropped but `-` and `_`, spaces to `-`. */
export function slugOf(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`/g, "")
    .replace(/<[^>]+>/g, "")
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/** Every heading anchor of a page; a repeated heading gets `-1`, `-2`, … as on the forge. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(text).split("\n")) {
    const m = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const slug = slugOf(m[1]!);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/** Link and image targets outside code, with the line each is on. */
export function linksOf(text: string): { target: string; line: number }[] {
  const prose = withoutFences(text).replace(/`[^`\n]*`/g, (code) => " ".repeat(code.length));
  const links: { target: string; line: number }[] = [];
  for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    links.push({ target: m[1]!, line: prose.slice(0, m.index).split("\n").length });
  }
  return links;
}

const PATH_ROOTS = "host|compiler|cli|dev|example|bench|test|web|assembly|patches|docs|bin|\\.ci";
const FILE_TYPES = "ts|mts|js|mjs|json|md|wasm|wat|svg|png|txt|html|css|pem";
const REPO_PATH = new RegExp(`^(?:${PATH_ROOTS})/[A-Za-z0-9_./-]*(?:\\.(?:${FILE_TYPES})|/)$`);

/** Code spans outside fences that name a file or folder of the repository (not build outputs, not
 * symbol names such as `assembly/index/Counter.create`). */
export function codePathsOf(text: string): { path: string; line: number }[] {
  const prose = withoutFences(text);
  const paths: { path: string; line: number }[] = [];
  for (const m of prose.matchAll(/`([^`\n]+)`/g)) {
    const path = m[1]!.trim();
    if (!REPO_PATH.test(path) || /(^|\/)(build|dist|results)\//.test(path)) continue;
    paths.push({ path, line: prose.slice(0, m.index).split("\n").length });
  }
  return paths;
}

/** Where the checker looks: the pages' texts and whether a repository path exists. */
export interface DocsWorld {
  pages: Map<string, string>;
  exists(path: string): boolean;
  read(path: string): string;
}

/** The repository on disk as a DocsWorld. */
export function diskWorld(root: string = ROOT): DocsWorld {
  const pages = new Map(listDocPages(root).map((p) => [p, readFileSync(join(root, p), "utf8")]));
  return {
    pages,
    exists: (path) => existsSync(join(root, path)),
    read: (path) => pages.get(path) ?? readFileSync(join(root, path), "utf8"),
  };
}

/** Every broken relative link, missing anchor and missing code path of the pages, as messages. */
export function checkDocs(world: DocsWorld): string[] {
  const problems: string[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchors = (page: string) => {
    if (!anchorCache.has(page)) anchorCache.set(page, anchorsOf(world.read(page)));
    return anchorCache.get(page)!;
  };
  for (const [page, text] of world.pages) {
    for (const { target, line } of linksOf(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
      const [rawPath, anchor] = splitAnchor(target);
      const path = rawPath === "" ? page : posix.normalize(posix.join(posix.dirname(page), decodeURIComponent(rawPath)));
      const where = `${page}:${line}: ${target}`;
      if (path.startsWith("..") || posix.isAbsolute(path)) {
        problems.push(`${where}: points outside the repository`);
        continue;
      }
      if (!world.exists(path.replace(/\/$/, ""))) {
        problems.push(`${where}: ${path} does not exist`);
        continue;
      }
      if (anchor !== null && path.endsWith(".md") && !anchors(path).has(anchor)) {
        problems.push(`${where}: ${path} has no heading #${anchor}`);
      }
    }
    for (const { path, line } of codePathsOf(text)) {
      if (!world.exists(path.replace(/\/$/, ""))) problems.push(`${page}:${line}: \`${path}\` does not exist`);
    }
  }
  return problems;
}

function splitAnchor(target: string): [string, string | null] {
  const i = target.indexOf("#");
  return i < 0 ? [target, null] : [target.slice(0, i), target.slice(i + 1)];
}
