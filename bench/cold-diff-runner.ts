// Runs bin/hotwasm.js in this fresh process, as `hotwasm ARGS` would, then prints the process's
// CPU time (JSON on stderr's last line, at exit): edit-to-patch.ts times a cold `hotwasm diff` with
// it, in wall time and in CPU time (which other work on a shared machine disturbs less).

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { findProjectRoot } from "./workloads.js";

process.on("exit", () => {
  const cpu = process.cpuUsage();
  process.stderr.write(`\n${JSON.stringify({ cpu_ms: (cpu.user + cpu.system) / 1000 })}\n`);
});
await import(pathToFileURL(join(findProjectRoot(), "bin/hotwasm.js")).href);
