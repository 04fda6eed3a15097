// The page's files, as a dev server serves them: static files from the page directory, and
// `NAME.js` bundled on request from `NAME.ts` (with `hotwasm` resolved to this package's runtime).

import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { extname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describeError } from "../host/errors.js";
import { isInside } from "../host/node/confine-path.js";
import { bundleForBrowser } from "./bundle-browser.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
  ".json": "application/json", ".wasm": "application/wasm", ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8",
};

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
  if (await isFile(wanted)) {
    res.writeHead(200, { "content-type": TYPES[extname(wanted)] ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(await readFile(wanted));
    return true;
  }
  const source = wanted.replace(/\.js$/, ".ts");
  if (source === wanted || !(await isFile(source))) return false;
  let code: string;
  try {
    code = (await bundleForBrowser({ entry: source, alias: { hotwasm: RUNTIME_ENTRY } })).code;
  } catch (err) {
    // Shown in the page itself: a failed bundle must not look like a blank page.
    const message = `hotwasm dev: cannot bundle ${pathname}: ${describeError(err)}`;
    code = `const pre = document.createElement("pre"); pre.className = "hotwasm-bundle-error"; pre.textContent = ${JSON.stringify(message)};\n` +
      `document.body.prepend(pre); console.error(pre.textContent);\n`;
  }
  res.writeHead(200, { "content-type": TYPES[".js"]!, "cache-control": "no-store" });
  res.end(code);
  return true;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function runtimeEntry(): string {
  const built = fileURLToPath(new URL("../host/index.js", import.meta.url));
  return existsSync(built) ? built : fileURLToPath(new URL("../host/index.ts", import.meta.url));
}
