// `hotwasm diff --base app.wasm [entry.ts ...] [--only GLOB]... [-o fix.wasm] [--root DIR] [--json] [-- asc options]`

import type { Command } from "commander";
import { isHotwasmError } from "../../host/errors.js";
import { collect, type CliIo } from "../io.js";
import { checkSourceName, readBaseBuild, readInput } from "../read-input.js";

/** Adds the diff command. */
export function registerDiff(program: Command, io: CliIo, passthrough: string[]): void {
  program
    .command("diff")
    .description("build a patch from the edited sources: exactly the functions that changed since the base was built")
    .argument("[entries...]", "entry files (default: the base's)")
    .requiredOption("--base <file>", "the running base build (it carries the sources it was built from)")
    .option("--only <glob>", "patch only changed functions matching GLOB (repeatable): a module (assembly/game/*), a class (Board#*), a function", collect, [])
    .option("-o, --out <file>", "output file", "build/diff.wasm")
    .option("--root <dir>", "the project root source paths are relative to (default: the folder of asconfig.json or package.json above the entries)")
    .option("--json", "print the summary (or the refusal's causes) as JSON")
    .addHelpText("after", `
Each changed function is listed with why it is in the patch (edited, inlines an edited function,
uses new data). A function whose only change is a moved line stays the base's. New classes, new
generic instantiations and new globals are fine: a new global's initialiser that is not a
constant (init) runs once at load; a field added to a class of the running program becomes a
shadow field (kept beside its objects); a function marked // @hotwasm-migrate runs once at load,
after the initialisers. Edits a patch cannot apply are refused together, one cause per line with
where the edit is, and nothing is written: a changed signature (E_SIGNATURE_MISMATCH), a field
removed, reordered or retyped, or a new field that cannot be a shadow field (E_LAYOUT_MISMATCH),
a class of the base gone (E_CLASS_ID_MISMATCH), a global retyped (E_GLOBAL_RETYPED), an existing
global's changed initialiser or any other change to top-level code (E_GLOBAL_INIT_CHANGED). A
patch the base would refuse to load is refused with the load's code (e.g. E_ARENA_FULL).

Examples:
  $ hotwasm diff --base build/app.wasm                        # everything that changed
  $ hotwasm diff --base build/app.wasm --only 'assembly/game/*' -o build/game-fix.wasm
  $ hotwasm diff --base build/app.wasm --only 'Board#*' --json`)
    .action(async (entries: string[], opts: { base: string; only: string[]; out: string; root?: string; json?: boolean }) => {
      for (const entry of entries) {
        checkSourceName(entry, "the entry");
        await readInput(io, entry, "the entry");
      }
      const base = await readBaseBuild(io, opts.base);
      const { buildDiff } = await import("../../compiler/diff/build-diff.js");
      let result: Awaited<ReturnType<typeof buildDiff>>;
      try {
        result = await buildDiff({
          base, cwd: io.cwd, root: opts.root, entries: entries.length > 0 ? entries : undefined, only: opts.only, outFile: opts.out, ascArgs: passthrough,
        });
      } catch (err) {
        // The causes as data for tools; the error itself still ends the command (exit 1).
        if (opts.json && isHotwasmError(err)) io.out(JSON.stringify({ error: { code: err.code, message: err.message, problems: err.details.problems ?? [] } }));
        throw err;
      }
      const { report, patch, timings } = result;
      if (opts.json) {
        io.out(JSON.stringify({ ...report, outFile: patch?.outFile ?? null, bytes: patch?.binary.length ?? 0, data_size: patch?.meta.link?.data_size ?? 0, timings }));
        return;
      }
      io.out(`changed ${report.changed.length}, added ${report.added.length}, unchanged ${report.unchanged}` +
        (report.skipped.length > 0 ? `, left out by --only ${report.skipped.length}` : ""));
      for (const name of report.changed) io.out(`  changed  ${name} (${report.reasons[name]})`);
      for (const name of report.skipped) io.out(`  skipped  ${name} (${report.reasons[name]})`);
      for (const name of report.classes) io.out(`  class    ${name}`);
      for (const name of report.fields) io.out(`  shadow   ${name}`);
      for (const name of report.initialisers) io.out(`  init     ${name}`);
      if (report.migrate) io.out(`  migrate  ${report.migrate}`);
      const total = Math.round(Object.values(timings).reduce((a, b) => a + b, 0));
      io.out(patch ? `wrote ${patch.outFile}: ${patch.binary.length} bytes, ${patch.meta.link?.data_size ?? 0} of them static data, in ${total} ms` : "no change to patch; nothing written");
    });
}
