// Path confinement: hp_file is read only from inside the patch directory, after symlinks, and
// only when it is a regular file within the size bound.

import { afterAll, beforeAll, expect, test } from "vitest";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HotwasmError } from "../../../host/errors.js";
import { createConfinedReader, isInside } from "../../../host/node/confine-path.js";

let dir = "";
let readFile: (path: string) => Promise<Uint8Array>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotwasm-confine-"));
  await mkdir(join(dir, "patches/sub"), { recursive: true });
  await mkdir(join(dir, "outside"));
  await writeFile(join(dir, "patches/ok.wasm"), "12345");
  await writeFile(join(dir, "patches/sub/deep.wasm"), "abc");
  await writeFile(join(dir, "patches/big.wasm"), "x".repeat(11));
  await writeFile(join(dir, "outside/secret.wasm"), "secret");
  await symlink(join(dir, "outside/secret.wasm"), join(dir, "patches/escape.wasm"));
  await symlink(join(dir, "outside"), join(dir, "patches/outdir"));
  await symlink("sub/deep.wasm", join(dir, "patches/inner.wasm"));
  ({ readFile } = await createConfinedReader(join(dir, "patches"), 10));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const outcome = (path: string) => readFile(path).then((b) => new TextDecoder().decode(b), (e: HotwasmError) => e.code);

test("files inside the directory are read, also through symlinks that stay inside", async () => {
  expect(await outcome("ok.wasm")).toBe("12345");
  expect(await outcome("./sub/../ok.wasm")).toBe("12345");
  expect(await outcome("sub/deep.wasm")).toBe("abc");
  expect(await outcome("inner.wasm")).toBe("abc");
  expect(await outcome(join(dir, "patches/ok.wasm"))).toBe("12345");
});

test("escapes are refused with E_PATH_OUTSIDE: .., absolute paths, symlinks to files or directories outside", async () => {
  expect(await outcome("../outside/secret.wasm")).toBe("E_PATH_OUTSIDE");
  expect(await outcome("sub/../../outside/secret.wasm")).toBe("E_PATH_OUTSIDE");
  expect(await outcome(join(dir, "outside/secret.wasm"))).toBe("E_PATH_OUTSIDE");
  expect(await outcome("/etc/passwd")).toBe("E_PATH_OUTSIDE");
  expect(await outcome("escape.wasm")).toBe("E_PATH_OUTSIDE");
  expect(await outcome("outdir/secret.wasm")).toBe("E_PATH_OUTSIDE");
  expect(await outcome("ok.wasm\0.txt")).toBe("E_PATH_OUTSIDE");
});

test("too large, missing and non-files are refused with their codes", async () => {
  expect(await outcome("big.wasm")).toBe("E_PATCH_TOO_LARGE");
  expect(await outcome("nope.wasm")).toBe("E_PATCH_READ_FAILED");
  expect(await outcome("sub")).toBe("E_PATCH_READ_FAILED");
  const missing = await createConfinedReader(join(dir, "nope"), 10).then(() => "made", (e: HotwasmError) => e.code);
  expect(missing).toBe("E_ADMIN_CONFIG");
});

test("isInside compares whole path components", () => {
  expect([isInside("/a/b", "/a/b"), isInside("/a/b", "/a/b/c"), isInside("/a/b", "/a/bc"), isInside("/a/b", "/a/b/..c")]).toEqual([true, true, false, true]);
});
