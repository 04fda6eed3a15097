// The page's files, as a dev server serves them: static files from the page directory, and
// `NAME.js` bundled on request from `NAME.ts` (with `hotwasm` resolved to this package's runtime).

import { existsSync } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { extname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describeError } from "../host/errors.js";
import { isInside } from "../host/node/confine-path.js";
import { readRegularFile } from "../host/node/regular-file.js";
import { bundleForBrowser } from "./bundle-browser.js";

const TYPES = new Map([
  [".html", "text/html; charset=utf-8"], [".css", "text/css; charset=utf-8"], [".js", "text/javascript; charset=utf-8"],
  [".json", "application/json"], [".wasm", "application/wasm"], [".svg", "image/svg+xml"], [".png", "image/png"], [".ico", "image/x-icon"], [".txt", "text/plain; charset=utf-8"],
]);

/** Largest page file served, in bytes. */
const MAX_PAGE_FILE_BYTES = 64 * 1024 * 1024;

/** The host core a page's `import ... from "hotwasm"` gets: this package's own. */
export const RUNTIME_ENTRY = runtimeEntry();

/** Serves `pathname` from `pageDir`; false when there is no such file. */
export async function servePageFile(res: ServerResponse, pageDir: string, pathname: string): Promise<boolean> {
  let wanted: string;
  try {
    wanted = resolve(pageDir, `.${decodeURIComponent(pathname === "/" ? "/index.html" : pathname)}`);
  } catch {
    return false; // malformed %-escapes name no file
  }
  if (!isInside(pageDir, wanted)) return false;
  // Symlinks are followed only where they stay in the page directory; only regular files are read (no FIFO, no device).
  const root = await realpath(pageDir).catch(() => pageDir);
  const real = await inside(root, wanted);
  if (real) {
    const body = await readRegularFile(real, { maxBytes: MAX_PAGE_FILE_BYTES, code: "E_NOT_FOUND", shown: pathname }).catch(() => null);
    if (!body) return false;
    res.writeHead(200, { "content-type": TYPES.get(extname(wanted)) ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(body);
    return true;
  }
  const source = wanted.replace(/\.js$/, ".ts");
  const realSource = source === wanted ? null : await inside(root, source);
  if (!realSource) return false;
  let code: string;
  try {
    code = (await bundleForBrowser({ entry: realSource, alias: { hotwasm: RUNTIME_ENTRY } })).code;
  } catch (err) {
    // Shown in the page itself: a failed bundle must not look like a blank page.
    const message = `hotwasm dev: cannot bundle ${pathname}: ${describeError(err)}`;
    code = `const pre = document.createElement("pre"); pre.className = "hotwasm-bundle-error"; pre.textContent = ${JSON.stringify(message)};\n` +
      `document.body.prepend(pre); console.error(pre.textContent);\n`;
  }
  res.writeHead(200, { "content-type": TYPES.get(".js")!, "cache-control": "no-store" });
  res.end(code);
  return true;
}

/** The real path of `path` when it is a regular file whose real path is inside `root`, else null. */
async function inside(root: string, path: string): Promise<string | null> {
  try {
    const real = await realpath(path);
    return isInside(root, real) && (await stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}

function runtimeEntry(): string {
  const built = fileURLToPath(new URL("../host/index.js", import.meta.url));
  return existsSync(built) ? built : fileURLToPath(new URL("../host/index.ts", import.meta.url));
}
