// `hotwasm build [entry.ts ...] [-o out.wasm] [--target NAME] [--patchable GLOB]... [--safepoints MODE] [-- asc options]`

import type { Command } from "commander";
import { resolve } from "node:path";
import { findProjectRoot } from "../../compiler/common/project-root.js";
import { DEFAULT_TARGET } from "../../compiler/base/asconfig.js";
import { DEFAULT_POLL_INTERVAL, SAFEPOINT_MODES, type SafepointMode } from "../../compiler/base/insert-safepoints.js";
import { collect, CliUsageError, type CliIo } from "../io.js";
import { resolveEntries } from "../entries.js";
import { countFunctions } from "../../host/model/function-counts.js";

/** Adds the build command. */
export function registerBuild(program: Command, io: CliIo, passthrough: string[]): void {
  program
    .command("build")
    .description("build a patchable base module (asc with the hotwasm transform)")
    .argument("[entries...]", "entry files (default: the entries of asconfig.json, else assembly/index.ts)")
    .option("-o, --out <file>", "output file (default: the target's outFile in asconfig.json, else build/app.wasm)")
    .option("--target <name>", `the asconfig.json target whose options apply, as with asc (default: ${DEFAULT_TARGET})`)
    .option("--patchable <glob>", "make matching functions patchable; !GLOB excludes (repeatable)", collect, [])
    .option("--arena <bytes>", "bytes reserved for patches' static data (default: 65536)")
    .option("--safepoints <mode>", `safepoint polls for HostPool swaps: ${SAFEPOINT_MODES.join(", ")}`, "off")
    .option("--poll-interval <sites>", "poll sites executed between two polls", String(DEFAULT_POLL_INTERVAL))
    .option("--no-version-loops", "do not give loops that call inlined patchable functions a patched copy")
    .option("--root <dir>", "the project root source paths are relative to (default: the folder of asconfig.json or package.json above the entries)")
    .option("--json", "print the result as JSON")
    .addHelpText("after", `
Everything after -- goes to asc unchanged, and wins over asconfig.json. The line printed names
the target and the optimisation used (-O3s0: optimizeLevel 3, shrinkLevel 0).

Examples:
  $ hotwasm build                                   # entries and options from asconfig.json (target release)
  $ hotwasm build --target debug                    # asconfig.json's debug target
  $ hotwasm build assembly/index.ts -o build/app.wasm -- -O3 --runtime incremental
  $ hotwasm build --patchable '!assembly/hot/*'     # keep a hot module out of the patchable set
  $ hotwasm build --patchable '~lib/string/*'       # also make library functions patchable
  $ hotwasm build --safepoints loops                # long loops reach a safe point for HostPool swaps`)
    .action(async (named: string[], opts: BuildFlags) => {
      const arenaSize = opts.arena === undefined ? undefined : Number(opts.arena);
      if (arenaSize !== undefined && (!Number.isInteger(arenaSize) || arenaSize < 0)) throw new CliUsageError(`--arena must be a whole number of bytes, not "${opts.arena}"`);
      const safepoints = opts.safepoints as SafepointMode;
      if (!SAFEPOINT_MODES.includes(safepoints)) throw new CliUsageError(`--safepoints must be one of ${SAFEPOINT_MODES.join(", ")}, not "${opts.safepoints}"`);
      const pollInterval = Number(opts.pollInterval);
      if (!Number.isInteger(pollInterval) || pollInterval < 1) throw new CliUsageError(`--poll-interval must be a whole number from 1, not "${opts.pollInterval}"`);
      // Without named entries, the project root's asconfig.json names them (from any folder).
      const root = findProjectRoot(io.cwd, named, opts.root).dir;
      const from = named.length > 0 ? io.cwd : root;
      const resolved = await resolveEntries(io, from, named);
      const { asconfig } = resolved;
      const entries = resolved.entries?.map((e) => resolve(from, e));
      if (opts.target !== undefined && !asconfig?.targets.includes(opts.target)) {
        throw new CliUsageError(`--target ${opts.target}: asconfig.json has ${asconfig ? `the targets ${asconfig.targets.join(", ") || "(none)"}` : "no targets (there is no asconfig.json)"}`);
      }
      // Loaded here, not at the top: asc and Binaryen take a second to load, and only build needs them.
      const { buildPatchable } = await import("../../compiler/base/build.js");
      const { DEFAULT_ARENA_SIZE } = await import("../../compiler/base/patchable-transform.js");
      const { withAnalysis } = await import("../../compiler/diff/embed-analysis.js");
      const result = await buildPatchable({
        cwd: io.cwd, root, entries, outFile: opts.out, target: opts.target, patchable: opts.patchable, arenaSize: arenaSize ?? DEFAULT_ARENA_SIZE, safepoints, pollInterval, ascArgs: passthrough,
        versionLoops: opts.versionLoops, finish: withAnalysis,
      });
      const m = result.manifest!;
      const { patchable } = countFunctions(m);
      if (result.log.trim()) io.err(result.log.trimEnd());
      const { optimizeLevel, shrinkLevel, runtime } = m.compiler.flags;
      if (opts.json) {
        io.out(JSON.stringify({
          outFile: result.outFile, buildId: m.buildId, target: result.target, optimizeLevel, shrinkLevel, runtime,
          patchable, functions: m.functions.length, arena: m.arena, safepoints: m.safepoints ?? null,
        }));
        return;
      }
      const how = `${result.target === null ? "no asconfig target" : `target ${result.target}`}, -O${optimizeLevel}s${shrinkLevel}, runtime ${runtime}`;
      io.out(`built ${result.outFile} (${how}): ${patchable} patchable function${patchable === 1 ? "" : "s"}, build id ${m.buildId}, ` +
        `patch arena ${m.arena.size} bytes at ${m.arena.start}` + (m.safepoints ? `, safepoints ${m.safepoints.mode} every ${m.safepoints.interval} sites` : ""));
      if (optimizeLevel === 0 && shrinkLevel === 0) {
        io.err("hotwasm build: note: unoptimised (-O0s0); set optimizeLevel in the asconfig.json target, or add -- -O3");
      }
    });
}

interface BuildFlags {
  out?: string;
  target?: string;
  patchable: string[];
  arena?: string;
  safepoints: string;
  pollInterval: string;
  versionLoops: boolean;
  root?: string;
  json?: boolean;
}
