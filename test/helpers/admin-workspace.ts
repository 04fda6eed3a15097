// Test helper: a directory for `hotwasm serve` tests: the example app, a patch directory (plain,
// signed, foreign-signed and oversized patches, a symlink out), a patch outside it, keys, a token.

import { copyFile, mkdir, mkdtemp, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendCustomSection } from "../../host/wasm/wasm-sections.js";
import { hotwasm } from "./cli-process.js";
import { exampleBinaries } from "./example-app.js";

/** The token the workspace's server requires. */
export const TOKEN = "cli-test-token-0123456789abcdef";
/** The --max-patch-bytes the workspace's server is started with. */
export const MAX_PATCH_BYTES = 4096;

/** Makes the workspace; keys and signatures are made with the real CLI (keygen, sign). */
export async function makeAdminWorkspace(): Promise<string> {
  const { appPath, patchPath } = await exampleBinaries();
  const dir = await mkdtemp(join(tmpdir(), "hotwasm-serve-"));
  await mkdir(join(dir, "patches"));
  await mkdir(join(dir, "outside"));
  await mkdir(join(dir, "keys"));
  await copyFile(appPath, join(dir, "app.wasm"));
  await copyFile(patchPath, join(dir, "patches/hp.wasm"));
  await copyFile(patchPath, join(dir, "outside/hp.wasm"));
  await symlink(join(dir, "outside/hp.wasm"), join(dir, "patches/escape.wasm"));
  await writeFile(join(dir, "token"), `${TOKEN}\n`);
  await writeFile(join(dir, "wrong-token"), "not-the-token-0123456789\n");
  for (const args of [["keygen", "keys/alice"], ["keygen", "mallory"], ["sign", "patches/hp.wasm", "--key", "keys/alice.key", "-o", "patches/signed.wasm"],
    ["sign", "patches/hp.wasm", "--key", "mallory.key", "-o", "patches/mallory.wasm"]]) {
    const r = await hotwasm(dir, args);
    if (r.code !== 0) throw new Error(`hotwasm ${args.join(" ")}: ${r.stderr}`);
  }
  const signed = new Uint8Array(await readFile(join(dir, "patches/signed.wasm")));
  const padded = appendCustomSection(new Uint8Array(await readFile(patchPath)), "padding", new Uint8Array(MAX_PATCH_BYTES));
  await writeFile(join(dir, "patches/big.wasm"), padded);
  const tampered = signed.slice();
  tampered[20] ^= 1;
  await writeFile(join(dir, "patches/tampered.wasm"), tampered);
  return dir;
}

/** `hotwasm serve` arguments for the workspace's secured server: token, trusted keys, confined patches, audit log. */
export function securedServeArgs(auditLog: string): string[] {
  return ["app.wasm", "--port", "0", "--rpc", "--patch-dir", "patches", "--token-file", "token", "--trusted-keys", "keys",
    "--max-patch-bytes", String(MAX_PATCH_BYTES), "--audit-log", auditLog, "--tick", "func1", "--tick-ms", "40"];
}
