// Runs one `hotwasm` command in this fresh process, as bin/hotwasm.js does, then prints the
// process's CPU time (JSON on stderr's last line): edit-to-patch.ts times a cold `hotwasm diff`
// with it, in wall time and in CPU time (which other work on a shared machine disturbs less).

import { runCli } from "../cli/main.js";

const code = await runCli(process.argv.slice(2));
const cpu = process.cpuUsage();
process.stderr.write(`\n${JSON.stringify({ cpu_ms: (cpu.user + cpu.system) / 1000 })}\n`);
process.exitCode = code;
