// `hotwasm patch FILE --base app.wasm [-o out.wasm] [--replace NEW=TARGET]...`

import type { Command } from "commander";
import { collect, CliUsageError, type CliIo } from "../io.js";
import { checkSourceName, readBaseBuild, readInput } from "../read-input.js";

/** Adds the patch command. */
export function registerPatch(program: Command, io: CliIo): void {
  program
    .command("patch")
    .description("build a patch from an AssemblyScript file that imports from the app's own modules")
    .argument("<file>", "the patch source, e.g. patches/fix.ts")
    .requiredOption("--base <file>", "the running base build (patchable .wasm)")
    .option("-o, --out <file>", "output file (default: build/<name>.wasm)")
    .option("--replace <export=target>", "replace TARGET with the patch's export (repeatable; default: same name)", collect, [])
    .option("--no-safepoints", "leave out the safepoint polls a patch of a --safepoints base gets")
    .option("--root <dir>", "the project root source paths are relative to (default: the folder of asconfig.json or package.json above the patch)")
    .option("--json", "print the result as JSON")
    .addHelpText("after", `
The patch is compiled together with the app's entries and the base's compiler options, shares the
base's allocator, collector and shadow stack, and may build strings, arrays, maps and classes of its
own. It reaches any global, function, constant or class of the app by the app's own names,
module-private ones too: import them from the app's module as if they were exported
(import { count, bump } from "../assembly/index"; count += 1 writes the running app's count).
Each exported function replaces the app function of the same name; a comment
"// @hotwasm-replace Counter#inc" before an export, or --replace, names another target.

Examples:
  $ hotwasm patch patches/fix.ts --base build/app.wasm -o build/fix.wasm
  $ hotwasm patch patches/fix.ts --base build/app.wasm --replace incFixed=Counter#inc`)
    .action(async (file: string, opts: { base: string; out?: string; replace: string[]; json?: boolean; safepoints: boolean; root?: string }) => {
      const replace: Record<string, string> = {};
      for (const pair of opts.replace) {
        const m = /^([^=]+)=(.+)$/.exec(pair);
        if (!m) throw new CliUsageError(`--replace takes EXPORT=TARGET, not "${pair}"`);
        replace[m[1]!] = m[2]!;
      }
      checkSourceName(file, "the patch source");
      await readInput(io, file, "the patch source");
      const base = await readBaseBuild(io, opts.base);
      const out = opts.out ?? `build/${file.replace(/^.*[\\/]/, "").replace(/\.ts$/, "")}.wasm`;
      const { buildPatch } = await import("../../compiler/patch/build-patch.js");
      const result = await buildPatch({ patch: file, base, replace, outFile: out, cwd: io.cwd, root: opts.root, safepoints: opts.safepoints });
      const link = result.meta.link!;
      if (opts.json) {
        io.out(JSON.stringify({ outFile: result.outFile, replace_config: result.meta.replace_config, data_size: link.data_size, classes: link.classes }));
        return;
      }
      const targets = Object.entries(result.meta.replace_config ?? {}).map(([k, v]) => `${k} -> ${v}`).join(", ");
      io.out(`built ${result.outFile} for base ${result.meta.base_build_id}: ${targets}; ${link.data_size} bytes of static data` +
        (link.classes.length > 0 ? `; new classes ${link.classes.map((c) => `${c.name} (#${c.id})`).join(", ")}` : ""));
    });
}
