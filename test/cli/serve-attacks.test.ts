// The attacks on `hotwasm serve` that got through, end to end with the real CLI and process
// (issue 14): --state-dir on a project, a FIFO among the patches, a patch whose hook never returns
// (single host and --workers 2, and SIGTERM while it spins), a read-only state directory, and
// terminal escapes in what the CLI and the server print. Each is refused with its code, the server
// answers on, the program keeps running, SIGTERM stops the process, and files around are intact.

import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { execFileSync } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hotwasm, startServe, stopAll, type ServeProcess } from "../helpers/cli-process.js";
import { exampleBinaries } from "../helpers/example-app.js";
import { makeReadOnly, restoreWritable } from "../helpers/read-only.js";
import { wat } from "../helpers/wat.js";

let dir = "";
beforeAll(async () => {
  const { appPath, patchPath } = await exampleBinaries();
  dir = await mkdtemp(join(tmpdir(), "hotwasm-attacks-"));
  await mkdir(join(dir, "patches"));
  await copyFile(appPath, join(dir, "app.wasm"));
  await copyFile(patchPath, join(dir, "patches/hp.wasm"));
  await writeFile(join(dir, "patches/hp.ts"), "// a source file of the project\n");
  await writeFile(join(dir, "notes.md"), "notes\n");
  // NewFunc1 replaces func1 (() -> void); its HPBeforeLoad never returns.
  await writeFile(join(dir, "patches/spin.wasm"), wat(`(module (func (export "NewFunc1")) (func (export "HPBeforeLoad") (result i32) (loop $l (br $l)) (i32.const 0)))`));
  await writeFile(join(dir, "patches/noop.wasm"), wat(`(module (func (export "NewFunc1")))`));
  execFileSync("mkfifo", [join(dir, "patches/fifo.wasm")]);
});
afterEach(async () => {
  stopAll();
  await restoreWritable();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const config = ["--replace", "NewFunc1=main.func1", "--ref", "Global=main.globalValue", "--ref", "Func2Ref=main.func2"];
const base = ["app.wasm", "--port", "0", "--patch-dir", "patches", "--tick", "func1", "--tick-ms", "30"];

/** Every entry of the workspace but the state directories, with sizes: what must stay as it was. */
async function files(): Promise<string[]> {
  const out: string[] = [];
  for (const sub of ["", "patches"]) {
    for (const name of (await readdir(join(dir, sub))).sort()) {
      if (name.startsWith("state")) continue;
      const info = await stat(join(dir, sub, name)).catch(() => null);
      out.push(`${join(sub, name)} ${info?.isFile() ? info.size : info?.isFIFO() ? "fifo" : "dir"}`);
    }
  }
  return out;
}

/** The program runs on: a new func1 line with its original code. */
async function ticksOn(serve: ServeProcess, line = /^(\[worker \d+\] )?func1: \d+$/) {
  const mark = serve.lines.length;
  await serve.waitFor((l) => line.test(l), mark);
}

test("--state-dir . in a project: exit 1 with E_STATE_DIR_FOREIGN, before any load; every file intact", async () => {
  const before = await files();
  const r = await hotwasm(dir, ["serve", ...base, "--state-dir", "."]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^error E_STATE_DIR_FOREIGN: the state directory .* holds files hotwasm did not create \("app\.wasm", "notes\.md", .*\); nothing was changed: give a new or empty directory for --state-dir\n$/);
  expect(await files()).toEqual(before);
  expect(await readdir(dir)).not.toContain("hotwasm-state.json");
});

test("a FIFO in the patch directory: that load is refused at once; later loads and unloads work; SIGTERM stops the server", async () => {
  const serve = await startServe(dir, base);
  const url = ["--url", serve.url];
  const fifo = await hotwasm(dir, ["load", "fifo.wasm", ...config, ...url]);
  expect([fifo.code, fifo.stderr]).toEqual([1, "error E_PATCH_READ_FAILED: cannot read fifo.wasm: it is a FIFO, not a regular file (HTTP 404)\n"]);
  const loaded = await hotwasm(dir, ["load", "hp.wasm", ...config, ...url]);
  expect(loaded.code).toBe(0);
  await ticksOn(serve, /^New Func: \d+$/);
  expect((await hotwasm(dir, ["unload", loaded.stdout.trim(), ...url])).code).toBe(0);
  expect(await serve.stop()).toBe(0);
});

test.each([["a single host", []], ["--workers 2", ["--workers", "2"]]])("%s: a hook that never returns is E_PATCH_TIMEOUT; info does not list it; the program runs on; SIGTERM stops it, also mid-spin", async (_, mode) => {
  const before = await files();
  const serve = await startServe(dir, [...base, ...mode, "--patch-timeout-ms", "400"]);
  const url = ["--url", serve.url];
  const r = await hotwasm(dir, ["load", "spin.wasm", "--replace", "NewFunc1=main.func1", ...url]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^error E_PATCH_TIMEOUT: (worker 0: )?HPBeforeLoad did not return within 400 ms; it was interrupted; the load was abandoned.* \(HTTP 422\)\n$/);
  expect((await hotwasm(dir, ["info", ...url])).stdout).toBe("no patches loaded\n");
  await ticksOn(serve);
  // SIGTERM while a hook spins: the process ends once the watchdog has stopped the hook.
  void hotwasm(dir, ["load", "spin.wasm", "--replace", "NewFunc1=main.func1", ...url]);
  await new Promise((r) => setTimeout(r, 50));
  expect(await serve.stop()).toBe(0);
  expect(await files()).toEqual(before);
});

test("a read-only state directory: the service starts with its recorded patches and a coded line, refuses loads (E_STATE_WRITE_FAILED), and stops on SIGTERM", async () => {
  const state = join(dir, "state-ro");
  const first = await startServe(dir, [...base, "--state-dir", "state-ro"]);
  const id = (await hotwasm(dir, ["load", "hp.wasm", ...config, "--url", first.url])).stdout.trim();
  expect(await first.stop()).toBe(0);
  await makeReadOnly(state, join(state, "patches"));
  const serve = await startServe(dir, [...base, "--state-dir", "state-ro"]);
  expect(serve.stderr.join("\n")).toMatch(/hotwasm serve: state: E_STATE_WRITE_FAILED: the state directory cannot be written .*; loads are refused until the state directory can be written/);
  await ticksOn(serve, /^New Func: \d+$/);
  const info = await hotwasm(dir, ["info", "--json", "--url", serve.url]);
  expect((JSON.parse(info.stdout) as { hp_id: string }[]).map((p) => p.hp_id)).toEqual([id]);
  const load = await hotwasm(dir, ["load", "noop.wasm", "--replace", "NewFunc1=main.func1", "--url", serve.url]);
  expect([load.code, load.stderr]).toEqual([1, expect.stringMatching(/^error E_STATE_WRITE_FAILED: .* \(HTTP 503\)\n$/)]);
  expect(await serve.stop()).toBe(0);
});

test("terminal escapes in names never reach the terminal raw: CLI errors, the audit log on stdout", async () => {
  const serve = await startServe(dir, [...base, "--audit-log", "-"]);
  const url = ["--url", serve.url];
  const evil = "\u001b[2K\r\u001b[32mhp.wasm (signed)\u001b[0m\u009b31m\u202e/../hp.wasm";
  const load = await hotwasm(dir, ["load", evil, ...config, ...url]);
  expect([load.code, load.stderr]).toEqual([1, "error E_INVALID_CONFIG: invalid load config (hp_file: hp_file holds control characters) (HTTP 400)\n"]);
  const usage = await hotwasm(dir, ["info", "--server", "\u001b]0;owned\u0007\u001b[2Jhttp://x/y/z"]);
  expect([usage.code, usage.stderr]).toEqual([2, 'error: --server must look like http://HOST:PORT, not "\\x1b]0;owned\\x07\\x1b[2Jhttp://x/y/z"\n']);
  await serve.waitFor((l) => l.includes('"action":"load"'));
  const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;
  for (const text of [load.stdout, load.stderr, usage.stdout, usage.stderr, ...serve.stderr, ...serve.lines]) expect(raw.test(text)).toBe(false);
  expect(serve.lines.find((l) => l.includes('"action":"load"'))).toContain("\\u009b31m\\u202e");
  expect(await serve.stop()).toBe(0);
});
