// `hotwasm dev [entries...] [--dir DIR] [--port N] [--page DIR] [-- asc options]`: the dev loop.
// Composition only; the server is startDevServer in dev/.

import type { Command } from "commander";
import { createInterface } from "node:readline";
import { relative, resolve } from "node:path";
import { isLoopbackName } from "../../host/node/admin-auth.js";
import { existsSync, statSync } from "node:fs";
import { HotwasmError } from "../../host/errors.js";
import { CliUsageError, type CliIo } from "../io.js";
import { resolveEntries } from "../entries.js";
import { countFunctions } from "../../host/model/function-counts.js";

interface DevOptions { dir: string; host?: string; port?: string; page: string; patches: string; out?: string }

/** Adds the dev command. */
export function registerDev(program: Command, io: CliIo, passthrough: string[]): void {
  program
    .command("dev")
    .description("serve the app's page and patch it live on every save, keeping the program's state")
    .argument("[entries...]", "entry files (default: asconfig.json's)")
    .option("-C, --dir <dir>", "the project directory (asconfig.json, sources, page/, patches/)", ".")
    .option("--host <address>", "address to listen on (default: HOST, else 127.0.0.1)")
    .option("--port <port>", "port to listen on; 0 picks a free one (default: PORT, else 8088)")
    .option("--page <dir>", "the page's directory in the project", "page")
    .option("--patches <dir>", "example patches (*.ts) the page can load and unload", "patches")
    .option("-o, --out <file>", "where the base build goes (default: asconfig.json's outFile, else build/app.wasm)")
    .addHelpText("after", `
Builds the base, serves the page, and on every save of the program's sources builds a patch of
what changed since the base (hotwasm diff) and pushes it to every connected page and to every
"hotwasm serve APP.wasm --dev URL": the new code runs at once, the program's state stays. Each
new dev patch replaces the previous one. An edit a patch cannot apply, or a compile error, is
shown in the page and here; the page then offers a full reload (type r and Enter here for one).

Examples:
  $ hotwasm dev --dir web                                       # the live Game of Life page
  $ hotwasm dev --port 0                                        # any free port
  $ PORT=9000 npm run web                                       # the same as npm run web -- --port 9000
  $ HOST=0.0.0.0 npm run web                                    # every interface (no token: a trusted network only)
  $ hotwasm serve build/app.wasm --dev http://127.0.0.1:8088    # a Node host that follows it`)
    .action(async (named: string[], opts: DevOptions) => {
      const host = opts.host ?? (io.env?.HOST || "127.0.0.1");
      const portText = opts.port ?? (io.env?.PORT || "8088");
      const port = Number(portText);
      if (!/^\d+$/.test(portText) || port > 65535) throw new CliUsageError(`--port (or PORT) must be a whole number up to 65535, not "${portText}"`);
      const cwd = resolve(io.cwd, opts.dir);
      if (!existsSync(cwd) || !statSync(cwd).isDirectory()) throw new HotwasmError("E_READ_FAILED", `the project directory ${opts.dir} is not a directory`);
      const { entries } = await resolveEntries(io, cwd, named);
      const { startDevServer } = await import("../../dev/dev-server.js");
      const say = (text: string) => io.out(text.split("\n").map((line, i) => (i === 0 ? `hotwasm dev: ${line}` : line)).join("\n"));
      const server = await startDevServer({
        cwd, entries, outFile: opts.out, ascArgs: passthrough,
        hostname: host, port, pageDir: opts.page, patchesDir: opts.patches, log: say,
      });
      const { base } = server.session;
      const file = relative(io.cwd, base.file);
      say(`built ${file}: ${countFunctions(base.manifest).patchable} patchable functions, build id ${base.manifest.buildId}`);
      say(`watching ${server.session.sourceFiles().join(", ")}`);
      say(`Node hosts follow with: hotwasm serve ${file} --dev ${server.url}`);
      if (!isLoopbackName(host)) say(`listening beyond loopback with no token: whoever reaches ${server.url} sees the program's sources and can make it rebuild`);
      say(`serving ${server.url}`);
      const lines = process.stdin.isTTY ? createInterface({ input: process.stdin }) : null;
      lines?.on("line", (line) => { if (line.trim() === "r") void server.rebuild(); });
      await new Promise<void>((done) => {
        process.once("SIGINT", done);
        process.once("SIGTERM", done);
      });
      lines?.close();
      await server.close();
    });
}
