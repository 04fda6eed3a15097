// Bundles code for browsers with esbuild (the host core, and a dev server's pages) and refuses
// any Node module in the result: what a browser loads must run there unmodified.

import { build, type Plugin } from "esbuild";
import { mkdir, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { dirname } from "node:path";
import { HotwasmError } from "../host/errors.js";

/** What to bundle. */
export interface BrowserBundleOptions {
  /** The entry module (TypeScript or JavaScript). */
  entry: string;
  /** Also write the bundle here. */
  outFile?: string;
  /** Shorter output: whitespace and identifiers. */
  minify?: boolean;
  /** Module names to replace by paths, e.g. { hotwasm: "/path/to/host/index.ts" }. */
  alias?: Record<string, string>;
}

/** A finished bundle. */
export interface BrowserBundle {
  code: string;
  /** Every file that went into it. */
  inputs: string[];
}

const escaped = builtinModules.map((m) => m.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
/** `node:anything`, or a Node built-in by its bare name (`fs`, `fs/promises`, `path`, ...). */
export const NODE_MODULE = new RegExp(`^(?:node:|(?:${escaped.join("|")})(?:/|$))`);

/** Bundles `entry` as one ES module for browsers; refuses Node modules (E_BUNDLE_NODE_IMPORT). */
export async function bundleForBrowser(o: BrowserBundleOptions): Promise<BrowserBundle> {
  const leaks: string[] = [];
  const guard: Plugin = {
    name: "hotwasm-no-node",
    setup(b) {
      b.onResolve({ filter: NODE_MODULE }, (args) => {
        leaks.push(`${args.path} (imported by ${args.importer || o.entry})`);
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    entryPoints: [o.entry], bundle: true, platform: "browser", format: "esm", target: "es2022", write: false, metafile: true,
    // Not minifySyntax: it would fold read-source.ts's computed specifier into import("node:fs/promises").
    minifyWhitespace: o.minify ?? false, minifyIdentifiers: o.minify ?? false, alias: o.alias, plugins: [guard], logLevel: "silent",
    outfile: o.outFile ?? "bundle.js",
  });
  const code = result.outputFiles.find((f) => f.path.endsWith(".js"))!.text;
  // Belt and braces: no static import or require of a Node module may survive in the output.
  for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)["'](node:[^"']*)["']/g)) leaks.push(`${m[1]} (in the output)`);
  if (leaks.length > 0) {
    throw new HotwasmError("E_BUNDLE_NODE_IMPORT", `the browser bundle of ${o.entry} would import ${leaks.join(", ")}; keep Node-only code out of what browsers load`, {
      details: { imports: leaks },
    });
  }
  if (o.outFile) {
    await mkdir(dirname(o.outFile), { recursive: true });
    await writeFile(o.outFile, code);
  }
  return { code, inputs: Object.keys(result.metafile.inputs) };
}
