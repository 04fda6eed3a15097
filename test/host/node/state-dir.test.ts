// A state directory owns only what it made: a directory holding anything else is refused with its
// files intact; nothing recoverable is deleted (an unreadable list, or one whose patches were not
// all re-applied, is kept aside with the bytes it names); entries are read one by one; FIFOs and
// device symlinks are never read; a read-only directory still starts (issue 14, attacks 1 and 10).

import { afterEach, beforeEach, expect, test } from "vitest";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Host } from "../../../host/core/host.js";
import type { HotwasmError } from "../../../host/errors.js";
import { PatchJournal } from "../../../host/node/patch-journal.js";
import { restorePatches } from "../../../host/node/restore-patches.js";
import { baseBinary } from "../../helpers/base.js";
import { makeReadOnly, restoreWritable } from "../../helpers/read-only.js";
import { fnPatch } from "../../helpers/wat.js";

let dir = "";
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), "hotwasm-statedir-")); });
afterEach(async () => {
  await restoreWritable();
  await rm(dir, { recursive: true, force: true });
});

const version = (n: number) => fnPatch("version", "(result i32)", `(i32.const ${n})`);
const rv = { version: "main.version" };

async function start(state = dir) {
  const host = await Host.instantiate(await baseBinary(), { env: { log: () => {}, callback: () => {} } });
  const lines: string[] = [];
  const journal = await PatchJournal.open(state);
  const report = await restorePatches(host, journal, (l) => lines.push(l));
  return { host, x: host.exports, lines, report, journal };
}

/** Every entry under `root` with its type and, for files, a hash of its bytes. */
async function snapshot(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for (const name of (await readdir(join(root, rel))).sort()) {
      const path = join(root, rel, name);
      const info = await lstat(path);
      if (info.isDirectory()) { out.push(`${join(rel, name)}/`); await walk(join(rel, name)); }
      else if (info.isFile()) out.push(`${join(rel, name)} ${createHash("sha256").update(await readFile(path)).digest("hex").slice(0, 16)}`);
      else out.push(`${join(rel, name)} (${info.isFIFO() ? "fifo" : info.isSymbolicLink() ? "symlink" : "other"})`);
    }
  };
  await walk("");
  return out;
}

const refusal = (p: Promise<unknown>) => p.then(() => null, (e: HotwasmError) => e);

test("--state-dir on a project (`--state-dir .`): refused with E_STATE_DIR_FOREIGN before anything is written or removed", async () => {
  await mkdir(join(dir, "patches"));
  await mkdir(join(dir, "build"));
  await writeFile(join(dir, "patches/hp.ts"), "export function NewFunc1(): void {}\n");
  await writeFile(join(dir, "patches/status.ts"), "// status\n");
  await writeFile(join(dir, "notes.md"), "notes\n");
  await writeFile(join(dir, "build/app.wasm"), new Uint8Array([0, 97, 115, 109]));
  const before = await snapshot(dir);
  const err = await refusal(PatchJournal.open(dir));
  expect(err?.code).toBe("E_STATE_DIR_FOREIGN");
  expect(err?.message).toMatch(/holds files hotwasm did not create \("build", "notes\.md"(, .*)?\); nothing was changed/);
  expect(await snapshot(dir)).toEqual(before);
});

test.each([
  ["only a patches/ holding a source file", async () => { await mkdir(join(dir, "patches")); await writeFile(join(dir, "patches/hp.ts"), "x"); }, /"patches\/hp\.ts"/],
  ["hotwasm's marker and a stray file", async () => { await PatchJournal.open(dir); await writeFile(join(dir, "README"), "mine"); }, /"README"/],
  ["a marker hotwasm did not write", async () => { await writeFile(join(dir, "hotwasm-state.json"), '{"something": "else"}'); }, /is not hotwasm's marker/],
  ["patches/ as a symlink to elsewhere", async () => { await symlink(tmpdir(), join(dir, "patches")); }, /"patches \(not a directory\)"/],
])("refused with E_STATE_DIR_FOREIGN, intact: %s", async (_, make, message) => {
  await make();
  const before = await snapshot(dir);
  const err = await refusal(PatchJournal.open(dir));
  expect([err?.code, err?.message]).toEqual(["E_STATE_DIR_FOREIGN", expect.stringMatching(message)]);
  expect(await snapshot(dir)).toEqual(before);
});

test("a new or empty directory gets hotwasm's marker; an earlier hotwasm's layout (journal.json, patches/) is adopted with a note", async () => {
  const fresh = join(dir, "new/state");
  await PatchJournal.open(fresh);
  expect(await snapshot(fresh)).toEqual([expect.stringMatching(/^hotwasm-state\.json /), "patches/"]);
  const first = await start(join(dir, "old"));
  await first.host.loadHP({ hp_bytes: version(2), replace_config: rv });
  await rm(join(dir, "old/hotwasm-state.json"));
  const second = await start(join(dir, "old"));
  expect(second.report.problems).toEqual([expect.stringMatching(/^adopted .*old, a state directory of an earlier hotwasm/)]);
  expect(second.x.version()).toBe(2);
});

test("stored bytes no list needs are removed, but only regular files named as stored patches", async () => {
  const { host } = await start();
  const a = await host.loadHP({ hp_bytes: version(2), replace_config: rv });
  const stray = `${"ab".repeat(32)}.wasm`;
  execFileSync("mkfifo", [join(dir, "patches", stray)]);
  await host.unloadHP(a);
  expect(await snapshot(join(dir, "patches"))).toEqual([`${stray} (fifo)`]);
});

test("tolerant reading: an unknown key is ignored with a note; an unreadable entry is dropped (E_STATE_CORRUPT), the rest re-applied in order, the list kept aside with every patch's bytes", async () => {
  const first = await start();
  const a = await first.host.loadHP({ hp_bytes: version(2), replace_config: rv });
  const b = await first.host.loadHP({ hp_bytes: fnPatch("add", "(param i32 i32) (result i32)", "(i32.const 9)"), replace_config: { add: "add" } });
  const c = await first.host.loadHP({ hp_bytes: version(3), replace_config: { version: "version" } });
  const list = JSON.parse(await readFile(join(dir, "journal.json"), "utf8"));
  list.patches[0].added_later = true;
  list.patches[1].config.replace_config = { add: 5 };
  const text = JSON.stringify(list);
  await writeFile(join(dir, "journal.json"), text);
  const hashes = list.patches.map((p: { sha256: string }) => `${p.sha256}.wasm`).sort();

  const second = await start();
  expect(second.report.restored).toEqual([a, c]);
  expect(second.report.dropped).toEqual([expect.objectContaining({ hp_id: b, code: "E_STATE_CORRUPT", message: expect.stringMatching(/^the journal's entry 1: config\.replace_config/) })]);
  expect(second.report.problems).toEqual([`journal entry 0 (${a}) has keys this hotwasm does not know, ignored: "added_later"`]);
  expect([second.x.version(), second.x.add(1, 1)]).toEqual([3, 2]);
  const kept = join(dir, second.report.aside!);
  expect(await readFile(join(kept, "journal.json"), "utf8")).toBe(text);
  expect((await readdir(join(kept, "patches"))).sort()).toEqual(hashes);
  // The kept list is a state directory of its own: its bytes are all there.
  expect(await snapshot(join(kept, "patches"))).toEqual(hashes.map((h: string) => expect.stringMatching(new RegExp(`^${h} [0-9a-f]{16}$`))));
});

test("a stored patch replaced by a FIFO or a symlink to /dev/zero is dropped at once (E_STATE_CORRUPT); start-up goes on", async () => {
  const first = await start();
  const a = await first.host.loadHP({ hp_bytes: version(2), replace_config: rv });
  const b = await first.host.loadHP({ hp_bytes: fnPatch("add", "(param i32 i32) (result i32)", "(i32.const 9)"), replace_config: { add: "add" } });
  const c = await first.host.loadHP({ hp_bytes: fnPatch("scale", "(param f64) (result f64)", "(f64.const 4)"), replace_config: { scale: "scale" } });
  const [sa, sb] = JSON.parse(await readFile(join(dir, "journal.json"), "utf8")).patches.map((p: { sha256: string }) => p.sha256);
  await rm(join(dir, "patches", `${sa}.wasm`));
  execFileSync("mkfifo", [join(dir, "patches", `${sa}.wasm`)]);
  await rm(join(dir, "patches", `${sb}.wasm`));
  await symlink("/dev/zero", join(dir, "patches", `${sb}.wasm`));
  const second = await start();
  expect(second.report.restored).toEqual([c]);
  expect(second.report.dropped.map((d) => [d.hp_id, d.code, d.message])).toEqual([
    [a, "E_STATE_CORRUPT", `cannot read the stored patch ${sa}.wasm: it is a FIFO, not a regular file`],
    [b, "E_STATE_CORRUPT", `cannot read the stored patch ${sb}.wasm: it is a symlink, not a regular file`],
  ]);
  expect(second.x.scale(1)).toBe(4);
  expect((await lstat(join(dir, "patches", `${sa}.wasm`))).isFIFO()).toBe(true); // not hotwasm's to remove
});

test("journal.json as a FIFO is unreadable: moved aside (never opened), the service starts empty", async () => {
  await PatchJournal.open(dir);
  execFileSync("mkfifo", [join(dir, "journal.json")]);
  const { report, host } = await start();
  expect(report.problems).toEqual([expect.stringMatching(/^cannot read journal\.json: it is a FIFO, not a regular file; it was moved to aside\/\S+\/ with every stored patch/)]);
  expect(host.getHPInfo()).toEqual([]);
  const aside = /moved to (\S+)\//.exec(report.problems![0]!)![1]!;
  expect((await lstat(join(dir, aside, "journal.json"))).isFIFO()).toBe(true);
  expect((await lstat(join(dir, "journal.json"))).isFile()).toBe(true); // the empty list, written anew
});

test("a read-only state directory: the recorded patches come back, a coded line says why nothing is recorded, loads are refused and rolled back; no file changes", async () => {
  const first = await start();
  const a = await first.host.loadHP({ hp_bytes: version(2), replace_config: rv });
  await makeReadOnly(dir, join(dir, "patches"));
  const before = await snapshot(dir);
  const second = await start();
  expect(second.report.restored).toEqual([a]);
  expect(second.x.version()).toBe(2);
  expect(second.report.problems).toEqual([
    expect.stringMatching(/^the state directory cannot be written \(.*\(E(PERM|ACCES|ROFS)\)\): the recorded patches are re-applied, but loads are refused with E_STATE_WRITE_FAILED until it can$/),
    expect.stringMatching(/^E_STATE_WRITE_FAILED: the state directory cannot be written/),
  ]);
  expect(second.lines.slice(-1)[0]).toMatch(/^hotwasm serve: state: E_STATE_WRITE_FAILED: .*; loads are refused until the state directory can be written$/);
  const err = await refusal(second.host.loadHP({ hp_bytes: version(5), replace_config: { version: "version" } }));
  expect(err?.code).toBe("E_STATE_WRITE_FAILED");
  expect(second.x.version()).toBe(2);
  expect((await second.host.unloadHP(a)).warnings).toEqual([expect.stringMatching(/^the state directory could not record the change: .*; the patch will be re-applied at the next start$/)]);
  expect(await snapshot(dir)).toEqual(before);
});
