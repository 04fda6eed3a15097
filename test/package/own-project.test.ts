// hotwasm in a project of one's own, as docs/getting-started.md tells it: a new project installs
// hotwasm from a packed tarball (offline), is laid out by asinit (the installed one), adds the
// transform to its asconfig.json, builds with its own `npm run asbuild:release`, serves the build, fixes it live
// with `hotwasm diff` and with `hotwasm patch` (reaching a module-private global by its own name),
// and loads a patch through the package's API. Only public entry points and bins are used
// (node_modules/.bin/hotwasm, npm exec --no -- hotwasm, import "hotwasm"); nothing inside node_modules.

import { afterAll, expect, test } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnv } from "../helpers/cli-process.js";
import { installOffline, packHotwasm, run } from "../helpers/offline-install.js";

// The app and the fix are the page's own code blocks, so the page and this test cannot drift apart.
const page = readFileSync(new URL("../../docs/getting-started.md", import.meta.url), "utf8");
const APP = codeBlock(page, "// assembly/index.ts");
const FIX = codeBlock(page, "// patches/fix.ts");
// The app's own program, using the package's API: load the fix into a Host, then unload it.
const SCRIPT = `import { readFile } from "node:fs/promises";
import { Host, consoleImports } from "hotwasm";
const lines = [];
let host;
host = await Host.instantiate(await readFile("build/release.wasm"), consoleImports(() => host, (l) => lines.push(l)));
host.exports.tick();
const id = await host.loadHP({ hp_file: "build/fix.wasm" });
host.exports.tick();
await host.unloadHP(id);
host.exports.tick();
const entries = await Promise.all(["hotwasm/node", "hotwasm/compiler", "hotwasm/transform", "hotwasm/dev"].map(async (e) => typeof (await import(e))));
console.log(JSON.stringify({ lines, entries }));
`;

/** Longest wait for a line of serve's output (it ticks every 40 ms). */
const LINE_DEADLINE_MS = 60_000;

let dir = "";
const serves: ChildProcess[] = [];
// How long each step took, printed at the end (also when a step fails or hangs): where the time went.
const steps: string[] = [];
let last = Date.now();
const done = (step: string) => { steps.push(`${step} ${Date.now() - last} ms`); last = Date.now(); };
afterAll(async () => {
  console.log(`own-project steps: ${steps.join(", ") || "none finished"}`);
  for (const p of serves) p.kill("SIGKILL");
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("a fresh AssemblyScript project: install the tarball, build with the transform, serve, fix live with diff and patch, load through the API", async () => {
  dir = await mkdtemp(join(tmpdir(), "hotwasm-own-"));
  const project = join(dir, "counter");
  await mkdir(project);
  await writeFile(join(project, "package.json"), '{ "type": "module" }\n');
  last = Date.now();
  const { tarball, files } = await packHotwasm(dir);
  done("pack");
  // The tarball holds the built package and nothing of the repository's sources or tests.
  for (const file of ["bin/hotwasm.js", "dist/cli/main.js", "dist/host/index.js", "dist/host/node.js", "dist/compiler/transform.js", "dist/dev/index.js", "dist/browser/hotwasm.js", "package.json"]) {
    expect(files).toContain(file);
  }
  expect(files.filter((f) => /^(test|host|compiler|cli|assembly|bench|dist\/bench|dist\/example)\//.test(f) || (f.endsWith(".ts") && !f.endsWith(".d.ts")))).toEqual([]);

  await installOffline(project, tarball);
  done("install");
  await run("npm", ["exec", "--no", "--", "asinit", ".", "-y"], project);
  done("asinit");
  await writeFile(join(project, "assembly/index.ts"), APP);
  await mkdir(join(project, "patches"));
  await writeFile(join(project, "patches/fix.ts"), FIX);
  const asconfig = JSON.parse(await readFile(join(project, "asconfig.json"), "utf8"));
  asconfig.options.transform = ["hotwasm/transform"];
  await writeFile(join(project, "asconfig.json"), JSON.stringify(asconfig, null, 2));

  // The project's own build script (asc --target release), now with the transform.
  await run("npm", ["run", "asbuild:release"], project);
  done("build");
  const bin = join(project, "node_modules/.bin/hotwasm");
  const hotwasm = (...args: string[]) => run(bin, args, project);
  const inspected = await run("npm", ["exec", "--no", "--", "hotwasm", "inspect", "build/release.wasm"], project);
  expect(inspected.stdout).toMatch(/\(runtime incremental, -O3s0\)[\s\S]*patchable functions \(2\)\n {2}#\d+ +assembly\/index\/bump +\(i32\) => void\n {2}#\d+ +assembly\/index\/tick +\(\) => void/);

  const serve = startServe(bin, project, ["serve", "build/release.wasm", "--port", "0", "--tick", "tick", "--tick-ms", "40"]);
  const url = await serve.listening;
  await serve.next(/^count \d+$/);
  done("serve");

  // An edit of the source, and the fix of a private global: built side by side.
  await writeFile(join(project, "assembly/index.ts"), APP.replace("bump(STEP);", "bump(STEP * 100);"));
  const [diff, patch] = await Promise.all([
    hotwasm("diff", "--base", "build/release.wasm", "-o", "build/diff.wasm"),
    hotwasm("patch", "patches/fix.ts", "--base", "build/release.wasm", "-o", "build/fix.wasm"),
  ]);
  expect(diff.stdout).toMatch(/^changed 1, added 0, unchanged \d+\n {2}changed {2}assembly\/index\/tick \(edited\)\nwrote .*build\/diff\.wasm: \d+ bytes, \d+ of them static data, in \d+ ms\n$/);
  expect(patch.stdout).toMatch(/^built .*build\/fix\.wasm for base [0-9a-f]{32}: tick -> assembly\/index\/tick;/);
  done("diff+patch");

  // hotwasm diff's patch: the count now grows by 100 a tick, from where it was; unload: by 1 again.
  const diffId = (await hotwasm("load", "build/diff.wasm", "--server", url)).stdout.trim();
  const a = await serve.stepAfter(/^count \d+$/);
  expect(a.next - a.previous).toBe(100);
  await hotwasm("unload", diffId, "--server", url);
  const b = await serve.stepAfter(/^count \d+$/);
  expect(b.next - b.previous).toBe(1);

  // hotwasm patch's fix works on the running program's own count, through npm exec too.
  const fix = JSON.parse((await run("npm", ["exec", "--no", "--", "hotwasm", "load", "build/fix.wasm", "--server", url, "--json"], project)).stdout) as { hp_id: string };
  const doubled = Number(/^doubled (\d+)$/.exec(await serve.next(/^doubled \d+$/))![1]);
  const again = Number(/^doubled (\d+)$/.exec(await serve.next(/^doubled \d+$/))![1]);
  expect(again).toBe((doubled + 1) * 2);
  const info = JSON.parse((await hotwasm("info", "--server", url, "--json")).stdout) as { hp_id: string }[];
  expect(info.map((p) => p.hp_id)).toEqual([fix.hp_id]);
  await hotwasm("unload", fix.hp_id, "--server", url);
  await serve.next(/^count \d+$/);
  serve.stop();
  done("loads");

  // The package's API in the project's own script.
  await writeFile(join(project, "run.mjs"), SCRIPT);
  const api = JSON.parse((await run(process.execPath, ["run.mjs"], project)).stdout) as { lines: string[]; entries: string[] };
  expect(api).toEqual({ lines: ["count 1", "doubled 4", "count 5"], entries: ["object", "object", "object", "object"] });
  done("api");
  // A pack, an offline install and four compilations: 30-40 s alone, over 120 s on a loaded machine.
}, 360_000);

test("the page runs hotwasm and asinit only as installed copies, never through a bare npx", () => {
  const commands = [...page.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).join("\n");
  expect(commands).toMatch(/npm exec --no -- hotwasm serve/);
  expect(commands.split("\n").filter((line) => /\bnpx\b/.test(line))).toEqual([]);
});

/** The fenced TypeScript block of `page` whose first line is `first`. */
function codeBlock(text: string, first: string): string {
  const block = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.startsWith(`${first}\n`));
  if (!block) throw new Error(`docs/getting-started.md has no code block starting with ${first}`);
  return block;
}

/** `hotwasm serve` from the project's bin, its stdout read line by line. */
function startServe(bin: string, cwd: string, args: string[]) {
  const proc = spawn(bin, args, { cwd, env: cleanEnv() });
  serves.push(proc);
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let buffer = "";
  let stderr = "";
  proc.stderr!.on("data", (c: Buffer) => { stderr += c.toString(); });
  proc.stdout!.on("data", (c: Buffer) => {
    buffer += c.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<never>((_, reject) => proc.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${stderr}\n${lines.join("\n")}`))));
  /** The first line from `from` on that matches; its index. Fails, with what serve printed, after LINE_DEADLINE_MS. */
  const find = async (pattern: RegExp, from: number): Promise<number> => {
    const deadline = Date.now() + LINE_DEADLINE_MS;
    for (;;) {
      const i = lines.findIndex((l, n) => n >= from && pattern.test(l));
      if (i >= 0) return i;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`serve printed no line matching ${pattern} within ${LINE_DEADLINE_MS} ms; its last lines:\n${lines.slice(-20).join("\n")}\nstderr: ${stderr}`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise<void>((r) => { waiters.push(r); timer = setTimeout(r, left); }), exited]).finally(() => clearTimeout(timer));
    }
  };
  let seen = 0;
  const next = async (pattern: RegExp): Promise<string> => {
    const i = await find(pattern, seen);
    seen = i + 1;
    return lines[i]!;
  };
  const value = (line: string) => Number(/(\d+)$/.exec(line)![1]);
  return {
    listening: next(/^hotwasm serve: listening on /).then((l) => l.slice("hotwasm serve: listening on ".length)),
    next,
    /** Two lines in a row matching `pattern`, from now on: their numbers. */
    async stepAfter(pattern: RegExp) {
      seen = lines.length;
      await next(pattern);
      const previous = value(await next(pattern));
      return { previous, next: value(await next(pattern)) };
    },
    stop: () => proc.kill("SIGTERM"),
  };
}
