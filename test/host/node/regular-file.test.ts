// Every file the host reads is a regular file, read without blocking and with a bound: a FIFO or a
// device in the patch directory, among the trusted keys or as the base is refused with a code at
// once, and the host goes on loading and unloading (issue 14, attacks 4 and 10). Messages name
// files as given, never by the server's absolute path (attack 12).

import { afterAll, beforeAll, expect, test } from "vitest";
import { execFileSync } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HotwasmError } from "../../../host/errors.js";
import { createConfinedReader } from "../../../host/node/confine-path.js";
import { readRegularFile } from "../../../host/node/regular-file.js";
import { readTrustedKeys, generateSigningKeys } from "../../../host/node/patch-signing.js";
import { instantiateServedHost } from "../../../host/node/serve-host.js";
import { consoleImports } from "../../../host/core/console-imports.js";
import { exampleBinaries } from "../../helpers/example-app.js";
import { EXAMPLE_CONFIG } from "../../../example/build.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotwasm-regular-"));
  const { patchPath, appPath } = await exampleBinaries();
  await mkdir(join(dir, "patches"));
  await mkdir(join(dir, "keys"));
  await copyFile(patchPath, join(dir, "patches/hp.wasm"));
  await copyFile(appPath, join(dir, "app.wasm"));
  execFileSync("mkfifo", [join(dir, "patches/fifo.wasm"), join(dir, "keys/fifo.pub"), join(dir, "fifo-app.wasm")]);
  await symlink("/dev/zero", join(dir, "patches/zero.wasm"));
  await symlink("/dev/zero", join(dir, "keys/zero.pub"));
  await writeFile(join(dir, "keys/alice.pub"), generateSigningKeys().publicKeyPem);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const codeOf = (p: Promise<unknown>) => p.then(() => "read", (e: HotwasmError) => `${e.code}: ${e.message}`);

test("a FIFO, a device (through a symlink or not) and a directory are refused at once; a regular file is read", async () => {
  const read = (path: string, follow = false) => codeOf(readRegularFile(path, { maxBytes: 1 << 20, code: "E_PATCH_READ_FAILED", shown: "f", follow }));
  expect(await read(join(dir, "patches/fifo.wasm"))).toBe("E_PATCH_READ_FAILED: cannot read f: it is a FIFO, not a regular file");
  expect(await read(join(dir, "patches/fifo.wasm"), true)).toBe("E_PATCH_READ_FAILED: cannot read f: it is a FIFO, not a regular file");
  expect(await read(join(dir, "patches/zero.wasm"))).toBe("E_PATCH_READ_FAILED: cannot read f: it is a symlink, not a regular file");
  expect(await read(join(dir, "patches/zero.wasm"), true)).toBe("E_PATCH_READ_FAILED: cannot read f: it is a device, not a regular file");
  expect(await read("/dev/zero", true)).toBe("E_PATCH_READ_FAILED: cannot read f: it is a device, not a regular file");
  expect(await read(join(dir, "patches"))).toBe("E_PATCH_READ_FAILED: cannot read f: it is a directory, not a regular file");
  expect(await read(join(dir, "patches/none.wasm"))).toBe("E_PATCH_READ_FAILED: cannot read f: no such file (ENOENT)");
  expect(await codeOf(readRegularFile(join(dir, "patches/hp.wasm"), { maxBytes: 10, code: "E_PATCH_READ_FAILED", shown: "hp.wasm" }))).toMatch(/^E_TOO_LARGE: hp\.wasm has \d+ bytes; the limit is 10$/);
  expect(await readRegularFile(join(dir, "patches/hp.wasm"), { maxBytes: 1 << 20, code: "E_PATCH_READ_FAILED", shown: "hp.wasm" })).toEqual((await exampleBinaries()).patch);
});

test("a FIFO in the patch directory: the load is refused at once, the host keeps loading and unloading; no absolute path in any message", async () => {
  const lines: string[] = [];
  const { host } = await instantiateServedHost({ app: join(dir, "app.wasm"), patchDir: join(dir, "patches"), imports: (get) => consoleImports(get, (l) => lines.push(l)) });
  const refusals: string[] = [];
  for (const hp_file of ["fifo.wasm", "zero.wasm", "missing/../hp.wasm", "none.wasm"]) {
    const err = await host.loadHP({ hp_file, ...EXAMPLE_CONFIG }).then(() => null, (e: HotwasmError) => e);
    expect(err?.message).not.toContain(dir);
    refusals.push(`${err?.code}: ${err?.message}`);
  }
  expect(refusals).toEqual([
    "E_PATCH_READ_FAILED: cannot read fifo.wasm: it is a FIFO, not a regular file",
    'E_PATH_OUTSIDE: hp_file "zero.wasm" is a symlink to a file outside the patch directory',
    "E_PATCH_READ_FAILED: cannot read missing/../hp.wasm in the patch directory: no such file (ENOENT)",
    "E_PATCH_READ_FAILED: cannot read none.wasm in the patch directory: no such file (ENOENT)",
  ]);
  host.exports.func1();
  expect(lines).toEqual(["func1: 100"]);
  const id = await host.loadHP({ hp_file: "hp.wasm", ...EXAMPLE_CONFIG });
  host.exports.func1();
  expect(lines.slice(-2)).toEqual(["New Func: 100", "func2: 115"]);
  await host.unloadHP(id);
  expect(host.getHPInfo()).toEqual([]);
});

test("the confined reader refuses a FIFO whose name stays inside, and reads the file next to it", async () => {
  const { readFile } = await createConfinedReader(join(dir, "patches"), 1 << 20);
  expect(await codeOf(readFile("fifo.wasm"))).toBe("E_PATCH_READ_FAILED: cannot read fifo.wasm: it is a FIFO, not a regular file");
  expect((await readFile("hp.wasm")).length).toBeGreaterThan(0);
});

test("trusted keys: a FIFO or a device among them is refused (E_ADMIN_CONFIG), never read; a base that is a FIFO too", async () => {
  expect(await codeOf(readTrustedKeys(join(dir, "keys/fifo.pub")))).toMatch(/^E_ADMIN_CONFIG: cannot read .*fifo\.pub: it is a FIFO, not a regular file$/);
  expect(await codeOf(readTrustedKeys(join(dir, "keys")))).toMatch(/^E_ADMIN_CONFIG: cannot read .*fifo\.pub: it is a FIFO/);
  expect(await codeOf(readTrustedKeys(join(dir, "keys/zero.pub")))).toMatch(/^E_ADMIN_CONFIG: cannot read .*zero\.pub: it is a device/);
  expect((await readTrustedKeys(join(dir, "keys/alice.pub"))).length).toBe(1);
  expect(await codeOf(instantiateServedHost({ app: join(dir, "fifo-app.wasm"), patchDir: join(dir, "patches") }))).toMatch(/^E_ADMIN_CONFIG: cannot read the base .*fifo-app\.wasm: it is a FIFO/);
});
