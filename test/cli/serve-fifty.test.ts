// Plain (hotgo-style) patches are placed at load time: fifty distinct copies of the example's
// build/hp.wasm (a custom section makes each differ), loaded concurrently into one `hotwasm serve`
// over HTTP, are all in force together, each with its own arena range; listed; then unloaded
// concurrently, and nothing is lost: every request answered, the base's behaviour back.

import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServe, stopAll } from "../helpers/cli-process.js";
import { exampleBinaries } from "../helpers/example-app.js";
import { appendCustomSection } from "../../compiler/common/custom-section.js";

const COPIES = 50;
let dir = "";
beforeAll(async () => {
  const { appPath, patch } = await exampleBinaries();
  dir = await mkdtemp(join(tmpdir(), "hotwasm-fifty-"));
  await mkdir(join(dir, "patches"));
  await copyFile(appPath, join(dir, "app.wasm"));
  for (let i = 0; i < COPIES; i++) await writeFile(join(dir, `patches/hp-${i}.wasm`), appendCustomSection(patch, "nonce", new TextEncoder().encode(String(i))));
});
afterEach(stopAll);
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Info { hp_id: string; state?: string; data?: { start: number; end: number }[]; replaces: { symbol: string; in_force: boolean }[] }

test("fifty copies of hp.wasm load concurrently over HTTP, are listed, and unload concurrently", async () => {
  const serve = await startServe(dir, ["app.wasm", "--port", "0", "--patch-dir", "patches", "--tick", "func1", "--tick-ms", "20"]);
  await serve.waitFor((l) => l.startsWith("func1: "));
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${serve.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { hp_id?: string; error?: { code: string } } };
  };
  const loads = await Promise.all(Array.from({ length: COPIES }, (_, i) => post("/hp/v1/load", { hp_file: `hp-${i}.wasm` })));
  expect(loads.map((r) => r.status)).toEqual(Array(COPIES).fill(200));
  const ids = loads.map((r) => r.body.hp_id!);
  expect(new Set(ids).size).toBe(COPIES);

  const info = (await (await fetch(`${serve.url}/hp/v1/info`)).json()) as Info[];
  expect(info.map((p) => p.hp_id).sort()).toEqual([...ids].sort());
  // Each copy's static data has a range of its own in the arena.
  const ranges = info.map((p) => p.data![0]!).sort((a, b) => a.start - b.start);
  for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.start).toBeGreaterThanOrEqual(ranges[i - 1]!.end);
  // The newest copy is in force for main.func1; the program runs the patched code.
  expect(info.filter((p) => p.replaces.some((r) => r.in_force))).toHaveLength(1);
  const mark = serve.lines.length;
  await serve.waitFor((l) => l.startsWith("New Func: "), mark);

  const unloads = await Promise.all(ids.map((hp_id) => post("/hp/v1/unload", { hp_id })));
  expect(unloads.map((r) => r.status)).toEqual(Array(COPIES).fill(200));
  const after = (await (await fetch(`${serve.url}/hp/v1/info`)).json()) as Info[];
  expect(after).toEqual([]);
  const back = serve.lines.length;
  await serve.waitFor((l) => l.startsWith("func1: "), back);
  // Loaded again, the arena's ranges were all freed: the fifty fit once more.
  const again = await Promise.all(Array.from({ length: COPIES }, (_, i) => post("/hp/v1/load", { hp_file: `hp-${i}.wasm` })));
  expect(again.map((r) => r.status)).toEqual(Array(COPIES).fill(200));
});
