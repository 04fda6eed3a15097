// The default imports of `hotwasm serve --workers N`: each worker prints the base's strings,
// env.print(message) and env.println(label, value), prefixed with its index.

import { consoleImports } from "../core/console-imports.js";
import type { Host } from "../core/host.js";

/** A HostPool imports module's default export. */
export default function poolConsoleImports(ctx: { index: number; getHost: () => Host | undefined }): WebAssembly.Imports {
  return consoleImports(ctx.getHost, (line) => console.log(`[worker ${ctx.index}] ${line}`));
}
