#!/usr/bin/env node
// The hotwasm command: runs the compiled CLI.
import { runCli } from "../dist/cli/main.js";

process.exitCode = await runCli(process.argv.slice(2));
