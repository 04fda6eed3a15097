// `npm run build:browser`: the host core as one ES module for browsers, dist/browser/hotwasm.js
// (the package's `hotwasm/browser`). Fails if anything from Node would end up in it.

import { fileURLToPath } from "node:url";
import { bundleForBrowser } from "./bundle-browser.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const outFile = `${root}dist/browser/hotwasm.js`;
try {
  const bundle = await bundleForBrowser({ entry: `${root}host/index.ts`, outFile, minify: true });
  console.log(`built ${outFile}: ${(bundle.code.length / 1024).toFixed(0)} KiB from ${bundle.inputs.length} files, nothing from Node`);
} catch (err) {
  console.error(err instanceof Error ? `error ${(err as { code?: string }).code ?? ""}: ${err.message}` : String(err));
  process.exitCode = 1;
}
