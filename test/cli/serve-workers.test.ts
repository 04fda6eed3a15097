// `hotwasm serve --workers N`: the example runs in a pool of worker threads behind the same admin
// plane; the hotgo flow patches every worker at once, and unload brings every worker back; with
// --state-dir the pool's patches survive a SIGKILL; its base is read from outside --patch-dir.

import { afterEach, beforeAll, expect, test } from "vitest";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hotwasm, startServe, stopAll } from "../helpers/cli-process.js";
import { buildExample } from "../../example/build.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
beforeAll(async () => {
  if (!existsSync(join(root, "build/hp.wasm"))) await buildExample(root);
});
afterEach(() => stopAll());

test("load, info and unload reach every worker; the pool serves HTTP and JSON-RPC", async () => {
  const serve = await startServe(root, ["build/app.wasm", "--workers", "2", "--port", "0", "--rpc", "--run", "func2", "--tick", "func1", "--tick-ms", "30"]);
  expect(serve.lines.join("\n")).toMatch(/hotwasm serve: 2 workers; loopback only, no token/);
  await serve.waitFor((l) => /^\[worker \d\] func1: 100$/.test(l));
  const loaded = await hotwasm(root, ["load", "build/hp.wasm", "--server", serve.url, "--json"]);
  expect(loaded.code).toBe(0);
  const { hp_id } = JSON.parse(loaded.stdout) as { hp_id: string };
  const mark = serve.lines.length;
  // Both workers print their hooks: the patch went into every one.
  await serve.waitFor((l) => l === "[worker 0] HPAfterLoad called", 0);
  await serve.waitFor((l) => l === "[worker 1] HPAfterLoad called", 0);
  await serve.waitFor((l) => /^\[worker \d\] New Func: \d+$/.test(l), mark);
  const info = await hotwasm(root, ["info", "--server", serve.url, "--rpc", "--json"]);
  expect(JSON.parse(info.stdout)).toEqual([expect.objectContaining({ hp_id, state: "loaded" })]);
  const debug = await (await fetch(`${serve.url}/hpdebug?format=json`)).json() as { patches: { hp_id: string }[] };
  // No --audit-log: no audit lines in the program's output.
  expect([...serve.lines, ...serve.stderr].filter((l) => l.startsWith("{"))).toEqual([]);
  expect(debug.patches.map((p) => p.hp_id)).toEqual([hp_id]);
  expect((await hotwasm(root, ["unload", hp_id, "--server", serve.url])).code).toBe(0);
  const back = serve.lines.length;
  await serve.waitFor((l) => /^\[worker \d\] func1: \d+$/.test(l), back);
  const refused = await hotwasm(root, ["unload", hp_id, "--server", serve.url]);
  expect([refused.code, refused.stderr]).toEqual([1, expect.stringMatching(/^error E_UNKNOWN_PATCH: /)]);
});

test("a pool with --patch-dir reads its base from outside that directory; --audit-log - writes the audit to stdout", async () => {
  const dir = await mkdtemp(join(tmpdir(), "hotwasm-pool-dir-"));
  try {
    await mkdir(join(dir, "patches"));
    await copyFile(join(root, "build/app.wasm"), join(dir, "app.wasm"));
    await copyFile(join(root, "build/hp.wasm"), join(dir, "patches/hp.wasm"));
    const serve = await startServe(dir, ["app.wasm", "--workers", "2", "--patch-dir", "patches", "--port", "0", "--tick", "func1", "--tick-ms", "30", "--audit-log", "-"]);
    expect(serve.lines.join("\n")).toMatch(/hotwasm serve: 2 workers; loopback only, no token; patches from .*patches/);
    const loaded = await hotwasm(dir, ["load", "hp.wasm", "--server", serve.url, "--json"]);
    expect([loaded.code, loaded.stderr]).toEqual([0, ""]);
    const { hp_id } = JSON.parse(loaded.stdout) as { hp_id: string };
    const outside = await hotwasm(dir, ["load", "../app.wasm", "--server", serve.url]);
    expect([outside.code, outside.stderr]).toEqual([1, expect.stringMatching(/^error E_PATH_OUTSIDE: /)]);
    await serve.waitFor((l) => l.startsWith("{") && JSON.parse(l).action === "load" && JSON.parse(l).code === "E_PATH_OUTSIDE");
    const audit = serve.lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { action: string; ok: boolean; hp_id: string | null });
    expect(audit.map((a) => [a.action, a.ok, a.hp_id])).toEqual([["load", true, hp_id], ["load", false, null]]);
    expect(serve.stderr.filter((l) => l.startsWith("{"))).toEqual([]);
  } finally {
    stopAll();
    await rm(dir, { recursive: true, force: true });
  }
});

test("--workers takes a whole number from 1", async () => {
  for (const n of ["0", "two", "1.5"]) {
    const r = await hotwasm(root, ["serve", "build/app.wasm", "--workers", n]);
    expect([n, r.code, r.stderr]).toEqual([n, 2, expect.stringMatching(/^error: --workers must /)]);
  }
});

test("--state-dir: a pool killed with SIGKILL comes back with its patches in every worker", async () => {
  const state = await mkdtemp(join(tmpdir(), "hotwasm-pool-state-"));
  try {
    const args = ["build/app.wasm", "--workers", "2", "--port", "0", "--tick", "func1", "--tick-ms", "30", "--state-dir", state];
    const first = await startServe(root, args);
    const loaded = await hotwasm(root, ["load", "build/hp.wasm", "--server", first.url, "--json"]);
    expect(loaded.code).toBe(0);
    const { hp_id } = JSON.parse(loaded.stdout) as { hp_id: string };
    const journal = JSON.parse(await readFile(join(state, "journal.json"), "utf8")) as { patches: { hp_id: string }[] };
    expect(journal.patches.map((p) => p.hp_id)).toEqual([hp_id]);
    await first.kill();

    const second = await startServe(root, args);
    // stderr is read on its own pipe: the line may arrive after "listening" on stdout.
    for (let i = 0; i < 400 && !second.stderr.includes(`hotwasm serve: state: re-applied ${hp_id} (build/hp.wasm)`); i++) await new Promise((r) => setTimeout(r, 25));
    expect(second.stderr).toContainEqual(`hotwasm serve: state: re-applied ${hp_id} (build/hp.wasm)`);
    for (const w of [0, 1]) await second.waitFor((l) => l.startsWith(`[worker ${w}] New Func: `));
    const info = await (await fetch(`${second.url}/hp/v1/info`)).json() as { hp_id: string }[];
    expect(info.map((p) => p.hp_id)).toEqual([hp_id]);
    expect((await hotwasm(root, ["unload", hp_id, "--server", second.url])).code).toBe(0);
    const after = JSON.parse(await readFile(join(state, "journal.json"), "utf8")) as { patches: unknown[] };
    expect(after.patches).toEqual([]);
  } finally {
    await rm(state, { recursive: true, force: true });
  }
});
