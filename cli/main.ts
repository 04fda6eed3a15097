// The hotwasm CLI: a thin shell over the library. `runCli` parses, runs one command and turns
// any failure into output and an exit code in one place: 0 ok, 1 refused or failed, 2 usage.

import { Command, CommanderError } from "commander";
import { isHotwasmError } from "../host/errors.js";
import { printable } from "../host/model/printable.js";
import { registerBuild } from "./commands/build.js";
import { registerInfo } from "./commands/info.js";
import { registerInspect } from "./commands/inspect.js";
import { registerPatch } from "./commands/patch.js";
import { registerDiff } from "./commands/diff.js";
import { registerDev } from "./commands/dev.js";
import { registerKeygen } from "./commands/keygen.js";
import { registerLoad } from "./commands/load.js";
import { registerServe } from "./commands/serve.js";
import { registerSign } from "./commands/sign.js";
import { registerUnload } from "./commands/unload.js";
import { CliUsageError, type CliIo } from "./io.js";

/** Runs the CLI with `argv` (without node and the script); resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const split = argv.indexOf("--");
  const passthrough = split >= 0 ? argv.slice(split + 1) : [];
  const own = split >= 0 ? argv.slice(0, split) : argv;
  const program = createProgram(io, passthrough);
  try {
    await program.parseAsync(own, { from: "user" });
    return 0;
  } catch (err) {
    return reportFailure(err, io);
  }
}

/** The command tree. */
export function createProgram(io: CliIo, passthrough: string[]): Command {
  const program = new Command("hotwasm")
    .description("Hot-patch the functions of a running WebAssembly program")
    .version(io.version, "-v, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, "")), writeErr: (s) => io.err(s.replace(/\n$/, "")) });
  registerBuild(program, io, passthrough);
  registerInspect(program, io);
  registerPatch(program, io);
  registerDiff(program, io, passthrough);
  registerDev(program, io, passthrough);
  registerServe(program, io);
  registerLoad(program, io);
  registerUnload(program, io);
  registerInfo(program, io);
  registerSign(program, io);
  registerKeygen(program, io);
  for (const cmd of program.commands) cmd.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/** The one place a failure becomes output and an exit code: every failure names its code. */
function reportFailure(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return 0;
    // `hotwasm` alone prints the help to stderr; `hotwasm help` asks for it.
    if (err.code === "commander.help") {
      if (err.exitCode === 0) return 0;
      io.err("error: name a command (the list is above)");
    }
    return 2;
  }
  if (err instanceof CliUsageError) {
    // Messages carry names from requests, patches and servers: printed with control characters escaped.
    io.err(`error: ${printable(err.message, true)}`);
    return 2;
  }
  if (isHotwasmError(err)) {
    io.err(`error ${err.code}: ${printable(err.message, true)}`);
    return 1;
  }
  if (isBuildError(err)) {
    if (err.log.trim()) io.err(err.log.trimEnd());
    io.err(`error E_COMPILE_ERROR: ${firstLine(err.log) ?? err.message}`);
    return 1;
  }
  io.err(`error E_INTERNAL: ${printable(err instanceof Error ? err.message : String(err), true)}`);
  return 1;
}

/** asc's first error line, without its colours. */
function firstLine(log: string): string | null {
  // eslint-disable-next-line no-control-regex
  const plain = log.replace(/\x1b\[[0-9;]*m/g, "");
  return plain.split("\n").find((l) => /^ERROR\b/.test(l.trim()))?.trim() ?? null;
}

// By name: importing the compiler's BuildError would load asc and Binaryen for every command.
function isBuildError(err: unknown): err is Error & { log: string } {
  return err instanceof Error && err.name === "BuildError" && typeof (err as { log?: unknown }).log === "string";
}

function processIo(): CliIo {
  return {
    out: (s) => process.stdout.write(`${s}\n`),
    err: (s) => process.stderr.write(`${s}\n`),
    cwd: process.cwd(),
    version: "0.1.0",
    env: process.env,
  };
}
