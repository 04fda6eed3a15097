#!/usr/bin/env node
// The hotwasm command: runs the compiled CLI.
import { runCli } from "../dist/cli/main.js";

// A reader that goes away (`hotwasm --help | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) stream.on("error", (err) => { if (err.code === "EPIPE") process.exit(process.exitCode ?? 0); });
process.exitCode = await runCli(process.argv.slice(2));
