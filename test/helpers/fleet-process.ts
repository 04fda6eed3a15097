// Test helper: `hotwasm fleet controller` and `hotwasm serve --fleet` as subprocesses whose
// output lines are collected; every one still running is killed by stopFleetProcesses (afterEach).

import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { cleanEnv } from "./cli-process.js";

const bin = fileURLToPath(new URL("../../bin/hotwasm.js", import.meta.url));
const running = new Set<ChildProcess>();

/** A running hotwasm command. */
export interface FleetProcess {
  pid: number;
  lines: string[];
  stderr: string[];
  /** Resolves with the first line from index `from` on that matches. */
  waitForLine(pattern: RegExp, from?: number, ms?: number): Promise<string>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL; resolves once it is gone. */
  kill(): Promise<void>;
}

/** Starts `hotwasm ...args`; resolves once a stdout line matches `ready`. */
export async function startFleetProcess(cwd: string, args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<FleetProcess> {
  const proc = spawn(process.execPath, [bin, ...args], { cwd, env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  running.add(proc);
  const lines: string[] = [];
  const stderr: string[] = [];
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (c) => { code = c; running.delete(proc); resolve(c); }));
  collect(proc.stdout!, lines);
  collect(proc.stderr!, stderr);
  const waitForLine = async (pattern: RegExp, from = 0, ms = 60_000) => {
    const start = Date.now();
    for (;;) {
      const line = lines.slice(from).find((l) => pattern.test(l));
      if (line !== undefined) return line;
      if (code !== undefined) throw new Error(`hotwasm ${args.join(" ")} exited with ${code}:\n${lines.join("\n")}\n${stderr.join("\n")}`);
      if (Date.now() - start > ms) throw new Error(`no line matching ${pattern} within ${ms} ms from hotwasm ${args[0]}:\n${lines.slice(from).join("\n")}\n${stderr.join("\n")}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  await waitForLine(ready);
  return {
    pid: proc.pid!, lines, stderr, waitForLine,
    stop: () => { proc.kill("SIGTERM"); return exited; },
    kill: async () => { proc.kill("SIGKILL"); await exited; },
  };
}

/** Kills every process startFleetProcess started that still runs. */
export async function stopFleetProcesses(): Promise<void> {
  const all = [...running];
  running.clear();
  await Promise.all(all.map((proc) => new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once("exit", () => resolve());
    proc.kill("SIGKILL");
  })));
}

function collect(stream: NodeJS.ReadableStream, into: string[]): void {
  let buffer = "";
  stream.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    into.push(...parts);
  });
}
