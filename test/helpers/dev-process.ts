// Test helper: `hotwasm dev` and `hotwasm serve` as long-running subprocesses whose output lines
// are collected; stopDevProcesses kills any still running (call it in afterEach / afterAll).

import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { cleanEnv } from "./cli-process.js";
import { waitFor } from "./web-project.js";

const bin = fileURLToPath(new URL("../../bin/hotwasm.js", import.meta.url));
const running = new Set<ChildProcess>();

/** A running hotwasm command. */
export interface HotwasmProcess {
  /** The URL it printed once ready. */
  url: string;
  /** stdout lines so far, and stderr. */
  lines: string[];
  stderr: string[];
  /** Resolves once a line from index `from` on matches. */
  waitForLine(pattern: RegExp, from?: number, ms?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `hotwasm ...args` in `cwd` (with `env` added); resolves once a stdout line matches `ready` (its first group is the URL). */
export function startHotwasm(cwd: string, args: string[], ready: RegExp, ms = 120_000, env: Record<string, string> = {}): Promise<HotwasmProcess> {
  const proc = spawn(process.execPath, [bin, ...args], { cwd, env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  running.add(proc);
  const lines: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<void>((resolve) => proc.on("exit", () => { running.delete(proc); resolve(); }));
  collect(proc.stdout!, lines);
  collect(proc.stderr!, stderr);
  let code: number | null = null;
  proc.on("exit", (c) => { code = c; });
  const waitForLine = async (pattern: RegExp, from = 0, wait = 60_000) => {
    await waitFor(() => lines.slice(from).some((l) => pattern.test(l)) || code !== null,
      () => `a line matching ${pattern} from hotwasm ${args[0]}; it printed:\n${lines.slice(from).join("\n")}\n${stderr.join("\n")}`, wait);
    const line = lines.slice(from).find((l) => pattern.test(l));
    if (!line) throw new Error(`hotwasm ${args[0]} exited with ${code}:\n${lines.join("\n")}\n${stderr.join("\n")}`);
    return line;
  };
  return waitForLine(ready, 0, ms).then((line) => ({
    url: ready.exec(line)![1]!, lines, stderr, waitForLine,
    stop: () => { proc.kill("SIGTERM"); return exited; },
  }));
}

/** Kills every process startHotwasm started that still runs. */
export function stopDevProcesses(): void {
  for (const proc of running) proc.kill("SIGKILL");
  running.clear();
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
