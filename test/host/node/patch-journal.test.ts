// The state directory: what is recorded (atomically, in load order, bytes by hash), what a restart
// re-applies, and what it drops with a reason (a rebuilt base, damaged bytes, an unreadable list).

import { afterEach, beforeEach, expect, test } from "vitest";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Host } from "../../../host/core/host.js";
import type { HostEvent } from "../../../host/model/events.js";
import type { AdminRecord } from "../../../host/admin/admin-hooks.js";
import { PatchJournal } from "../../../host/node/patch-journal.js";
import { restorePatches } from "../../../host/node/restore-patches.js";
import { baseBinary } from "../../helpers/base.js";
import { buildApp } from "../../helpers/build.js";
import { fnPatch, stamp } from "../../helpers/wat.js";

let dir = "";
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), "hotwasm-state-")); });
afterEach(() => rm(dir, { recursive: true, force: true }));

const version = (n: number) => fnPatch("version", "(result i32)", `(i32.const ${n})`);
const add = fnPatch("add", "(param i32 i32) (result i32)", "(i32.sub (local.get 0) (local.get 1))");
const imports = () => ({ env: { log: () => {}, callback: () => {} } });

async function start(base?: Uint8Array) {
  const host = await Host.instantiate(base ?? (await baseBinary()), imports());
  const events: HostEvent[] = [];
  const lines: string[] = [];
  const audit: AdminRecord[] = [];
  host.on((e) => events.push(e));
  const journal = await PatchJournal.open(dir);
  const report = await restorePatches(host, journal, (l) => lines.push(l), (r) => audit.push(r));
  return { host, x: host.exports, events, lines, audit, report, journal };
}

const listed = async () => JSON.parse(await readFile(join(dir, "journal.json"), "utf8")) as { patches: { hp_id: string; sha256: string }[] };

test("loads and unloads are recorded in order with their bytes; a restart re-applies them exactly", async () => {
  const first = await start();
  const a = await first.host.loadHP({ hp_bytes: version(2), replace_config: { version: "main.version" } });
  const b = await first.host.loadHP({ hp_bytes: add, replace_config: { add: "add" }, policy: { max_traps: 3, window_ms: 1000 } });
  const c = await first.host.loadHP({ hp_bytes: version(3), replace_config: { version: "version" } });
  expect((await listed()).patches.map((p) => p.hp_id)).toEqual([a, b, c]);
  await first.host.unloadHP(c);
  const journal = await listed();
  expect(journal.patches.map((p) => p.hp_id)).toEqual([a, b]);
  expect((await readdir(join(dir, "patches"))).sort()).toEqual(journal.patches.map((p) => `${p.sha256}.wasm`).sort());

  const second = await start();
  expect(second.report).toEqual({ restored: [a, b], dropped: [] });
  expect([second.x.version(), second.x.add(5, 3)]).toEqual([2, 2]);
  expect(second.host.getHPInfo().map((p) => [p.hp_id, p.config.replace_config, p.policy])).toEqual([
    [a, { version: "main.version" }, undefined], [b, { add: "add" }, { max_traps: 3, window_ms: 1000 }],
  ]);
  expect(second.events.filter((e) => e.type === "loaded")).toEqual([expect.objectContaining({ hp_id: a, restored: true }), expect.objectContaining({ hp_id: b, restored: true })]);
  expect(second.lines).toEqual([`hotwasm serve: state: re-applied ${a} ((uploaded))`, `hotwasm serve: state: re-applied ${b} ((uploaded))`]);
  expect(second.audit.map((r) => [r.surface, r.action, r.ok, r.hp_id])).toEqual([["state", "load", true, a], ["state", "load", true, b]]);
});

test("a patch that no longer fits a rebuilt base is dropped with its code; the others come back; no crash", async () => {
  const first = await start();
  const fits = await first.host.loadHP({ hp_bytes: version(2), replace_config: { version: "main.version" } });
  const bound = await first.host.loadHP({ hp_bytes: stamp(add, { base_build_id: first.host.manifest.buildId }), replace_config: { add: "add" } });
  const rebuilt = await buildApp({ "assembly/index.ts": "export function version(): i32 { return 10; }\nexport function add(a: i32, b: i32): i32 { return a + b + 1; }" });
  const second = await start(rebuilt);
  expect(second.report.restored).toEqual([fits]);
  expect(second.report.dropped).toEqual([expect.objectContaining({ hp_id: bound, code: "E_BUILD_MISMATCH" })]);
  expect(second.lines[1]).toMatch(new RegExp(`^hotwasm serve: state: dropped ${bound} \\(\\(uploaded\\)\\): E_BUILD_MISMATCH: the patch was built for base build`));
  expect(second.events.filter((e) => e.type === "refused")).toEqual([expect.objectContaining({ hp_id: bound, code: "E_BUILD_MISMATCH", restored: true })]);
  expect(second.audit.map((r) => [r.ok, r.code])).toEqual([[true, null], [false, "E_BUILD_MISMATCH"]]);
  expect([second.x.version(), second.x.add(1, 1)]).toEqual([2, 3]);
  expect((await listed()).patches.map((p) => p.hp_id)).toEqual([fits]); // recorded from the state in force
});

test("damaged bytes are dropped as E_STATE_CORRUPT (the list kept aside); an unreadable list is moved aside with the bytes and the service starts empty", async () => {
  const first = await start();
  const a = await first.host.loadHP({ hp_bytes: version(2), replace_config: { version: "main.version" } });
  const b = await first.host.loadHP({ hp_bytes: add, replace_config: { add: "add" } });
  const damaged = (await listed()).patches[1]!.sha256;
  await writeFile(join(dir, "patches", `${damaged}.wasm`), add.slice(0, 10));
  const second = await start();
  expect(second.report).toEqual({ restored: [a], dropped: [expect.objectContaining({ hp_id: b, code: "E_STATE_CORRUPT" })], aside: expect.stringMatching(/^aside\/\d{8}T\d{6}Z$/) });
  expect(second.events.map((e) => e.type).slice(-1)).toEqual(["refused"]);
  const kept = join(dir, second.report.aside!);
  expect((await readdir(join(kept, "patches"))).sort()).toEqual([(await listed()).patches[0]!.sha256, damaged].map((h) => `${h}.wasm`).sort());

  const broken = '{"hotwasm_state": 1, "patches": [{"hp_id": 12';
  await writeFile(join(dir, "journal.json"), broken);
  const stored = (await readdir(join(dir, "patches"))).sort();
  const third = await start();
  expect(third.report).toEqual({ restored: [], dropped: [], problems: [expect.stringMatching(/^journal\.json is unreadable \(not JSON: .*\); it was moved to aside\/\S+\/ with every stored patch, and no patch was re-applied$/)] });
  expect(third.lines[0]).toBe(`hotwasm serve: state: ${third.report.problems![0]}`);
  expect(third.host.getHPInfo()).toEqual([]);
  const moved = join(dir, /moved to (\S+)\//.exec(third.report.problems![0]!)![1]!);
  expect(await readFile(join(moved, "journal.json"), "utf8")).toBe(broken);
  expect((await readdir(join(moved, "patches"))).sort()).toEqual(stored);
});

test("a load the state directory cannot record is refused (E_STATE_WRITE_FAILED) and rolled back", async () => {
  const { host, x, events } = await start();
  await rm(join(dir, "journal.json"));
  await mkdir(join(dir, "journal.json", "blocker"), { recursive: true }); // rename over a non-empty directory fails
  const err = await host.loadHP({ hp_bytes: version(2), replace_config: { version: "main.version" } }).catch((e) => e);
  expect([err.code, err.message]).toEqual(["E_STATE_WRITE_FAILED", expect.stringMatching(/^the state directory could not record the load; it was rolled back: /)]);
  expect(x.version()).toBe(1);
  expect(host.getHPInfo().map((p) => p.state)).toEqual(["rolled_back"]);
  expect(events.map((e) => e.type).slice(-6)).toEqual(["loaded", "rollback", "revert", "unloaded", "released", "refused"]);
});
