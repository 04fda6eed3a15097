// `hotwasm diff --base app.wasm [entry.ts ...] [--only GLOB]... [-o fix.wasm] [--json] [-- asc options]`

import type { Command } from "commander";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { HotwasmError, describeError } from "../../host/errors.js";
import { collect, type CliIo } from "../io.js";

/** Adds the diff command. */
export function registerDiff(program: Command, io: CliIo, passthrough: string[]): void {
  program
    .command("diff")
    .description("build a patch from the edited sources: exactly the functions that changed since the base was built")
    .argument("[entries...]", "entry files (default: the base's)")
    .requiredOption("--base <file>", "the running base build (it carries the sources it was built from)")
    .option("--only <glob>", "patch only changed functions matching GLOB (repeatable): a module (assembly/game/*), a class (Board#*), a function", collect, [])
    .option("-o, --out <file>", "output file", "build/diff.wasm")
    .option("--json", "print the summary as JSON")
    .addHelpText("after", `
New classes, new generic instantiations and new globals with a constant initialiser are fine; a
field added to a class of the running program becomes a shadow field (kept beside its objects);
a function marked // @hotwasm-migrate runs once at load. Edits a patch cannot apply are refused
together, each with its code, and nothing is written: a changed signature (E_SIGNATURE_MISMATCH),
a field removed, reordered or retyped, or a new field that cannot be a shadow field
(E_LAYOUT_MISMATCH), a class of the base gone (E_CLASS_ID_MISMATCH), a global retyped
(E_GLOBAL_RETYPED), a changed initialiser or top-level code (E_GLOBAL_INIT_CHANGED), a change in
a function that is not patchable (E_NOT_PATCHABLE).

Examples:
  $ hotwasm diff --base build/app.wasm                        # everything that changed
  $ hotwasm diff --base build/app.wasm --only 'assembly/game/*' -o build/game-fix.wasm
  $ hotwasm diff --base build/app.wasm --only 'Board#*' --json`)
    .action(async (entries: string[], opts: { base: string; only: string[]; out: string; json?: boolean }) => {
      const { buildDiff } = await import("../../compiler/diff/build-diff.js");
      let base: Uint8Array;
      try {
        base = new Uint8Array(await readFile(resolve(io.cwd, opts.base)));
      } catch (err) {
        throw new HotwasmError("E_PATCH_READ_FAILED", `cannot read the base ${opts.base}: ${describeError(err)}`, { cause: err });
      }
      const result = await buildDiff({
        base, cwd: io.cwd, entries: entries.length > 0 ? entries : undefined, only: opts.only, outFile: opts.out, ascArgs: passthrough,
      });
      const { report, patch } = result;
      if (opts.json) {
        io.out(JSON.stringify({ ...report, outFile: patch?.outFile ?? null }));
        return;
      }
      io.out(`changed ${report.changed.length}, added ${report.added.length}, unchanged ${report.unchanged}` +
        (report.skipped.length > 0 ? `, left out by --only ${report.skipped.length}` : ""));
      for (const name of report.changed) io.out(`  changed  ${name}`);
      for (const name of report.skipped) io.out(`  skipped  ${name}`);
      for (const name of report.classes) io.out(`  class    ${name}`);
      for (const name of report.fields) io.out(`  shadow   ${name}`);
      if (report.migrate) io.out(`  migrate  ${report.migrate}`);
      io.out(patch ? `wrote ${patch.outFile}` : "no change to patch; nothing written");
    });
}
