// A real `hotwasm serve` process: killed with SIGKILL in the middle of loads and unloads (at each
// step of the state write, then at random times) it comes back from --state-dir with every patch
// either fully applied or not at all, its journal and its behaviour agreeing; a patch loaded with
// --max-traps whose code traps in the ticking program is rolled back on its own.

import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hotwasm, startServe, stopAll, type ServeProcess } from "../helpers/cli-process.js";
import { exampleBinaries } from "../helpers/example-app.js";
import { wat } from "../helpers/wat.js";

let dir = "";
beforeAll(async () => {
  const { appPath, patchPath } = await exampleBinaries();
  dir = await mkdtemp(join(tmpdir(), "hotwasm-kill-"));
  await mkdir(join(dir, "patches"));
  await copyFile(appPath, join(dir, "app.wasm"));
  await copyFile(patchPath, join(dir, "patches/hp.wasm"));
});
afterEach(stopAll);
afterAll(() => rm(dir, { recursive: true, force: true }));

const args = ["app.wasm", "--port", "0", "--patch-dir", "patches", "--tick", "func1", "--tick-ms", "40", "--state-dir", "state", "--audit-log", "audit.log"];
/** Random kill rounds (HOTWASM_KILL_ROUNDS for a long run) and their seed. */
const ROUNDS = Number(process.env.HOTWASM_KILL_ROUNDS ?? 4);
const SEED = Number(process.env.HOTWASM_KILL_SEED ?? 7);

/** The server's patches, its journal and its output agree; resolves to whether the patch is in force. */
async function verify(serve: ServeProcess): Promise<boolean> {
  const info = (await (await fetch(`${serve.url}/hp/v1/info`)).json()) as { hp_id: string; replaces: { in_force: boolean }[] }[];
  const journal = JSON.parse(await readFile(join(dir, "state/journal.json"), "utf8")) as { patches: { hp_id: string }[] };
  expect(journal.patches.map((p) => p.hp_id)).toEqual(info.map((p) => p.hp_id));
  expect(info.length).toBeLessThanOrEqual(1);
  const loaded = info.length === 1;
  if (loaded) expect(info[0]!.replaces.every((r) => r.in_force)).toBe(true);
  const mark = serve.lines.length;
  await serve.waitFor((l) => l.startsWith(loaded ? "New Func: " : "func1: "), mark);
  await serve.waitFor((l) => l.startsWith(loaded ? "New Func: " : "func1: "), serve.lines.length);
  return loaded;
}

/** Sends a load (or an unload of the loaded patch) without waiting for the answer. */
async function change(serve: ServeProcess, loaded: boolean): Promise<void> {
  const info = (await (await fetch(`${serve.url}/hp/v1/info`)).json()) as { hp_id: string }[];
  const body = loaded ? { hp_id: info[0]!.hp_id } : { hp_file: "hp.wasm" };
  void fetch(`${serve.url}/hp/v1/${loaded ? "unload" : "load"}`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } }).catch(() => undefined);
}

test("killed at each step of a load and an unload: after a restart the patch is fully applied or not at all", async () => {
  // [where the process is killed, the state the next process must come back with]
  const points: [string, boolean][] = [
    ["bytes-saved:1", false], ["list-begin:2", false], ["list-written:2", false], ["list-renamed:2", true], // loads
    ["list-begin:2", true], ["list-written:2", true], ["list-renamed:2", false], // unloads (startup writes the list once)
  ];
  let serve = await startServe(dir, args, { HOTWASM_TEST_PAUSE_AT: points[0]![0] });
  let loaded = await verify(serve);
  for (let i = 0; i < points.length; i++) {
    const [point, expected] = points[i]!;
    await change(serve, loaded);
    await serve.waitFor((l) => l === `hotwasm serve: paused at ${point.split(":")[0]}`, 0);
    await serve.kill();
    serve = await startServe(dir, args, i + 1 < points.length ? { HOTWASM_TEST_PAUSE_AT: points[i + 1]![0] } : {});
    loaded = await verify(serve);
    expect([point, loaded]).toEqual([point, expected]);
    if (loaded) expect(serve.stderr).toContainEqual(expect.stringMatching(/^hotwasm serve: state: re-applied [0-9a-f]{64} \(hp\.wasm\)$/));
  }
  expect(await serve.stop()).toBe(0);
});

test("killed at random times during loads and unloads: every restart comes back consistent", async () => {
  let state = SEED >>> 0;
  const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  let serve = await startServe(dir, args);
  let loaded = await verify(serve);
  const outcomes = { applied: 0, not_applied: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const before = loaded;
    await change(serve, loaded);
    await new Promise((r) => setTimeout(r, Math.floor(random() * 60)));
    await serve.kill();
    serve = await startServe(dir, args);
    loaded = await verify(serve);
    outcomes[loaded !== before ? "applied" : "not_applied"]++;
  }
  expect(outcomes.applied + outcomes.not_applied).toBe(ROUNDS);
  console.log(`kill rounds: ${ROUNDS} (seed ${SEED}), change applied ${outcomes.applied}, not applied ${outcomes.not_applied}, all consistent`);
  expect(await serve.stop()).toBe(0);
});

test("a patch loaded with --max-traps that traps in the running program is rolled back, recorded and reported", async () => {
  await writeFile(join(dir, "patches/trap.wasm"), wat(`(module (func (export "broken") (unreachable)))`));
  await rm(join(dir, "state"), { recursive: true, force: true });
  const serve = await startServe(dir, args);
  const load = await hotwasm(dir, ["load", "trap.wasm", "--replace", "broken=main.func1", "--max-traps", "2", "--trap-window-ms", "600000", "--url", serve.url]);
  expect([load.code, load.stderr]).toEqual([0, ""]);
  const mark = serve.lines.length;
  await serve.waitFor((l) => l.startsWith("func1: "), mark); // back to the original after the third trap
  expect(serve.stderr.filter((l) => l.startsWith("hotwasm serve: func1 failed: "))).toEqual(Array(3).fill("hotwasm serve: func1 failed: unreachable"));
  const info = await hotwasm(dir, ["info", "--url", serve.url]);
  expect(info.stdout).toMatch(new RegExp(`^${load.stdout.trim()}\n.*\n  replaces broken -> assembly/index/func1 \\(shadowed\\)\n.*\n  policy   at most 2 traps in 600000 ms; 3 so far\n  state    rolled back at \\S+: its code failed 3 times within 600000 ms \\(policy: at most 2\\)\n$`));
  let recorded: unknown[] = [null];
  for (let i = 0; i < 200 && recorded.length > 0; i++) {
    recorded = (JSON.parse(await readFile(join(dir, "state/journal.json"), "utf8")) as { patches: unknown[] }).patches;
    if (recorded.length > 0) await new Promise((r) => setTimeout(r, 25));
  }
  expect(recorded).toEqual([]); // the rollback is recorded: a restart does not bring the patch back
  expect(await serve.stop()).toBe(0);
});
