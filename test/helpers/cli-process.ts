// Test helper: the real `hotwasm` CLI as a subprocess, and `hotwasm serve` as a long-running one
// whose output lines are collected; every serve process is stopped by stopAll (call it in afterEach).

import { execFile, spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../../bin/hotwasm.js", import.meta.url));
const running = new Set<ChildProcess>();

/** The environment without HOTWASM_* variables, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("HOTWASM_")) delete env[key];
  return { ...env, ...extra };
}

/** Runs `hotwasm ...args` to completion. */
export function hotwasm(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: cleanEnv(env) }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A running `hotwasm serve`. */
export interface ServeProcess {
  url: string;
  /** stdout lines so far (the base's output and serve's own lines). */
  lines: string[];
  stderr: string[];
  /** Resolves once a stdout line after index `from` satisfies `pred`. */
  waitFor(pred: (line: string) => boolean, from?: number): Promise<void>;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Sends SIGKILL and resolves once the process is gone. */
  kill(): Promise<void>;
}

/** Starts `hotwasm serve ...args`; resolves once it prints where it listens. */
export function startServe(cwd: string, args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const proc = spawn(process.execPath, [bin, "serve", ...args], { cwd, env: cleanEnv(env) });
  running.add(proc);
  const lines: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => { running.delete(proc); resolve(code); }));
  collectLines(proc.stderr!, stderr);
  return new Promise((resolve, reject) => {
    void exited.then((code) => reject(new Error(`serve exited with ${code}:\n${stderr.join("\n")}`)));
    collectLines(proc.stdout!, lines, (line) => {
      const m = /^hotwasm serve: listening on (https?:\/\/\S+)$/.exec(line);
      if (!m) return;
      resolve({
        url: m[1]!, lines, stderr,
        waitFor: async (pred, from = 0) => {
          for (let i = 0; i < 400; i++) {
            if (lines.slice(from).some(pred)) return;
            await new Promise((r) => setTimeout(r, 25));
          }
          throw new Error(`no matching line in:\n${lines.slice(from).join("\n")}`);
        },
        stop: () => { proc.kill("SIGTERM"); return exited; },
        kill: async () => { proc.kill("SIGKILL"); await exited; },
      });
    });
  });
}

/** Kills every serve process still running. */
export function stopAll(): void {
  for (const proc of running) proc.kill("SIGKILL");
  running.clear();
}

function collectLines(stream: NodeJS.ReadableStream, into: string[], onLine?: (line: string) => void): void {
  let buffer = "";
  stream.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    for (const line of parts) {
      into.push(line);
      onLine?.(line);
    }
  });
}
