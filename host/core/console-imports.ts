// Imports that print AssemblyScript strings: env.println(label, value) and env.print(message),
// the imports of the example app and its patches, and `hotwasm serve`'s default.

import type { Host } from "./host.js";

/** Imports that print to `out`, reading strings from the host's memory once it exists. */
export function consoleImports(getHost: () => Host | undefined, out: (line: string) => void = console.log): WebAssembly.Imports {
  const text = (ptr: number) => getHost()?.exports.__getString(ptr) ?? "";
  return {
    env: {
      println: (label: number, value: number) => out(`${text(label)}${value}`),
      print: (message: number) => out(text(message)),
    },
  };
}
