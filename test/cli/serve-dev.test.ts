// `hotwasm dev` (its port from PORT, its address from HOST) and `hotwasm serve --dev` as real processes: a Node host running the example
// (and a pool of two workers) follows the dev server; a save changes what it prints while its
// state (globalValue) stays;
// a rude edit is explained in both terminals and the host runs on unchanged.

import { afterAll, beforeAll, expect, test } from "vitest";
import { cp, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hotwasm } from "../helpers/cli-process.js";
import { root } from "../helpers/example-app.js";
import { startHotwasm, stopDevProcesses, type HotwasmProcess } from "../helpers/dev-process.js";
import { editFile } from "../helpers/web-project.js";

let dir = "";
let dev: HotwasmProcess;
let serve: HotwasmProcess;
let pool: HotwasmProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotwasm-serve-dev-"));
  await mkdir(join(dir, "assembly"));
  await cp(join(root, "assembly/index.ts"), join(dir, "assembly/index.ts"));
  await cp(join(root, "asconfig.json"), join(dir, "asconfig.json"));
  // PORT and HOST pick the port and address when --port and --host are not given (as for npm run web); port 0: any free one.
  dev = await startHotwasm(dir, ["dev"], /^hotwasm dev: serving (http:\S+)$/, 120_000, { PORT: "0", HOST: "127.0.0.3" });
  expect(new URL(dev.url).port).not.toBe("8088");
  expect(new URL(dev.url).hostname).toBe("127.0.0.3");
  serve = await startHotwasm(dir, ["serve", "build/app.wasm", "--port", "0", "--run", "func2", "--tick", "func1", "--tick-ms", "50", "--dev", dev.url],
    /^hotwasm serve: listening on (http:\S+)$/);
  pool = await startHotwasm(dir, ["serve", "build/app.wasm", "--workers", "2", "--port", "0", "--tick", "func1", "--tick-ms", "50", "--dev", dev.url],
    /^hotwasm serve: listening on (http:\S+)$/);
});
afterAll(async () => {
  stopDevProcesses();
  await rm(dir, { recursive: true, force: true });
});

test("dev prints what it built, what it watches and how Node hosts follow it", () => {
  expect(dev.lines.slice(0, 4).join("\n")).toMatch(new RegExp([
    "^hotwasm dev: built build/app\\.wasm: 4 patchable functions, build id [0-9a-f]{32}",
    "hotwasm dev: watching assembly/index\\.ts",
    `hotwasm dev: Node hosts follow with: hotwasm serve build/app\\.wasm --dev ${dev.url}`,
    `hotwasm dev: serving ${dev.url}$`,
  ].join("\n")));
});

test("saves are applied in the Node host: its output changes, its state carries on across patches", async () => {
  await serve.waitForLine(/^hotwasm serve: dev: connected to the dev server \(base [0-9a-f]{12}\)$/);
  await pool.waitForLine(/^hotwasm serve: dev: connected to the dev server \(base [0-9a-f]{12}\)$/);
  await serve.waitForLine(/^func1: 100$/);
  let mark = serve.lines.length;
  const index = join(dir, "assembly/index.ts");
  await editFile(index, `println("func1: ", globalValue);`, `globalValue += 1;\n  println("counting: ", globalValue);`);
  await serve.waitForLine(/^hotwasm serve: dev: dev patch \d+ applied in [\d.]+ ms: index\/func1$/, mark);
  await serve.waitForLine(/^counting: 103$/, mark);
  await dev.waitForLine(/^hotwasm dev: {3}serve http:\/\/127\.0\.0\.1:\d+: applied patch \d+ in [\d.]+ ms$/);
  expect(dev.lines.join("\n")).toMatch(/hotwasm dev: patch \d+ for assembly\/index\.ts: index\/func1 \(\d+ bytes\); built in \d+ ms, sent to 2 client\(s\)/);
  // The pool's workers switch together, each carrying on from its own state.
  for (const w of [0, 1]) await pool.waitForLine(new RegExp(`^\\[worker ${w}\\] counting: \\d+$`));
  mark = serve.lines.length;
  await editFile(index, `globalValue += 1;\n  println("counting: ", globalValue);`, `println("kept: ", globalValue);`);
  const kept = await serve.waitForLine(/^kept: \d+$/, mark);
  const counted = serve.lines.filter((l) => l.startsWith("counting: ")).map((l) => Number(l.slice(10)));
  expect(Number(kept.slice(6))).toBe(Math.max(...counted));
});

test("a rude edit is explained in both terminals; the host runs on with the last good code", async () => {
  const devMark = dev.lines.length;
  const serveMark = serve.lines.length;
  await editFile(join(dir, "assembly/index.ts"), "let globalValue: i32 = 100;", "let globalValue: i32 = 7;");
  await dev.waitForLine(/^hotwasm dev: this edit cannot be patched into the running program:$/, devMark);
  await dev.waitForLine(/^ {2}E_GLOBAL_INIT_CHANGED: the initialiser of global assembly\/index\/globalValue changed$/, devMark);
  await dev.waitForLine(/Rebuild & reload/, devMark);
  await serve.waitForLine(/^hotwasm serve: dev: this edit cannot be patched into the running program:$/, serveMark);
  const mark = serve.lines.length;
  const kept = await serve.waitForLine(/^kept: \d+$/, mark);
  expect(serve.lines.slice(mark).filter((l) => /^(kept|func1|counting): /.test(l)).every((l) => l === kept)).toBe(true);
});

test("dev --help shows examples; a malformed --dev URL is a usage error", async () => {
  const help = await hotwasm(dir, ["dev", "--help"]);
  expect([help.code, help.stdout]).toEqual([0, expect.stringMatching(/Examples:\n {2}\$ hotwasm dev --dir web/)]);
  const bad = await hotwasm(dir, ["serve", "build/app.wasm", "--port", "0", "--dev", "localhost:8088"]);
  expect([bad.code, bad.stderr.trim()]).toEqual([2, `error: --dev takes the dev server's URL (http://HOST:PORT), not "localhost:8088"`]);
});
