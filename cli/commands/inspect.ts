// `hotwasm inspect FILE [--json] [--all]`: what a base build's manifest or a patch says.

import type { Command } from "commander";
import { HotwasmError } from "../../host/errors.js";
import { printable, printableJson } from "../../host/model/printable.js";
import { decodeManifest, MANIFEST_SECTION } from "../../host/model/manifest.js";
import { readPatchMeta } from "../../host/model/patch-meta.js";
import { customSection, readModule, WasmReadError } from "../../host/wasm/wasm-reader.js";
import { formatManifest, formatPatch } from "../format-inspect.js";
import type { CliIo } from "../io.js";
import { readInput } from "../read-input.js";

/** Adds the inspect command. */
export function registerInspect(program: Command, io: CliIo): void {
  program
    .command("inspect")
    .description("show the manifest of a patchable build, or what a patch module binds")
    .argument("<file>", "a .wasm file")
    .option("--json", "print machine-readable JSON")
    .option("--all", "also list standard-library functions and globals")
    .addHelpText("after", `
Examples:
  $ hotwasm inspect build/app.wasm          # patchable functions, slots, signatures, globals
  $ hotwasm inspect build/app.wasm --json   # the whole manifest
  $ hotwasm inspect build/hp.wasm           # a patch: its base build, imports, exports, default config`)
    .action(async (file: string, opts: { json?: boolean; all?: boolean }) => {
      const bytes = await readInput(io, file, "", "E_PATCH_READ_FAILED");
      let info;
      try {
        info = readModule(bytes);
      } catch (err) {
        if (err instanceof WasmReadError) throw new HotwasmError("E_INVALID_MODULE", `${file} is not a WebAssembly module: ${err.message}`);
        throw err;
      }
      const manifestBytes = customSection(info, MANIFEST_SECTION);
      if (manifestBytes) {
        const manifest = decodeManifest(manifestBytes);
        io.out(opts.json ? printableJson(JSON.stringify(manifest, null, 2)) : printable(formatManifest(manifest, !!opts.all), true));
        return;
      }
      const meta = readPatchMeta(info);
      if (opts.json) {
        io.out(printableJson(JSON.stringify({ kind: "patch", meta, imports: info.imports, exports: info.exports.map((e) => ({ name: e.name, kind: e.kind })) }, null, 2)));
        return;
      }
      io.out(printable(formatPatch(file, info, meta), true));
    });
}
