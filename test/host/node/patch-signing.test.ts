// Signed patches: sign and verify with ed25519, and every way a signature is refused — before
// the patch is compiled, with the base untouched.

import { afterAll, beforeAll, expect, test } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Host } from "../../../host/core/host.js";
import { consoleImports } from "../../../host/core/console-imports.js";
import type { HostEvent } from "../../../host/model/events.js";
import { HotwasmError } from "../../../host/errors.js";
import { attachSignature, SIGNATURE_SECTION, splitSignature } from "../../../host/link/patch-signature.js";
import { appendCustomSection } from "../../../host/wasm/wasm-sections.js";
import { createPatchVerifier, generateSigningKeys, readTrustedKeys, signPatch, type TrustedKey } from "../../../host/node/patch-signing.js";
import { exampleBinaries } from "../../helpers/example-app.js";
import { EXAMPLE_CONFIG } from "../../../example/build.js";

let app: Uint8Array;
let patch: Uint8Array;
const alice = generateSigningKeys();
const mallory = generateSigningKeys();
let trusted: TrustedKey[] = [];
let dir = "";

beforeAll(async () => {
  ({ app, patch } = await exampleBinaries());
  dir = await mkdtemp(join(tmpdir(), "hotwasm-keys-"));
  await writeFile(join(dir, "alice.pub"), alice.publicKeyPem);
  await writeFile(join(dir, "notes.txt"), "not a key");
  trusted = await readTrustedKeys(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A host that only takes patches alice signed, with its printed lines and events. */
async function signedOnlyHost() {
  const lines: string[] = [];
  const events: HostEvent[] = [];
  let host: Host | undefined;
  host = await Host.instantiate(app, consoleImports(() => host, (l) => lines.push(l)), { verifyPatch: createPatchVerifier(trusted) });
  host.on((e) => events.push(e));
  return { host, lines, events };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof HotwasmError ? err.code : `not coded: ${String(err)}`;
  }
  return "no error";
}

test("a signed patch carries the key id; it loads on a host that trusts the key", async () => {
  const signed = signPatch(patch, alice.privateKeyPem, EXAMPLE_CONFIG);
  const { body, signature } = splitSignature(signed);
  expect(signature).toEqual({ v: 2, alg: "ed25519", key_id: alice.keyId, config: EXAMPLE_CONFIG, sig: expect.stringMatching(/==$/) });
  expect(body).toEqual(patch);
  expect(trusted.map((k) => k.keyId)).toEqual([alice.keyId]);
  expect(splitSignature(signPatch(signed, mallory.privateKeyPem, EXAMPLE_CONFIG)).signature!.key_id).toBe(mallory.keyId); // re-signing replaces

  const { host, lines } = await signedOnlyHost();
  const id = await host.loadHP({ hp_bytes: signed });
  host.exports.func1();
  expect(lines).toEqual(["HPBeforeLoad called", "HPAfterLoad called", "New Func: 100", "func2: 115"]);
  await host.unloadHP(id);
});

test("unsigned, wrongly signed, tampered and malformed patches are refused before compiling, changing nothing", async () => {
  const signed = signPatch(patch, alice.privateKeyPem, EXAMPLE_CONFIG);
  const tampered = signed.slice();
  tampered[20] ^= 1; // a byte inside the signed body
  const sig = splitSignature(signed).signature!;
  const cases: [string, Uint8Array, string][] = [
    ["unsigned", patch, "E_PATCH_UNSIGNED"],
    ["untrusted key", signPatch(patch, mallory.privateKeyPem, EXAMPLE_CONFIG), "E_BAD_PATCH_SIGNATURE"],
    ["tampered body", tampered, "E_BAD_PATCH_SIGNATURE"],
    ["signature of another patch", attachSignature(appendCustomSection(patch, "x", new Uint8Array([1])), sig), "E_BAD_PATCH_SIGNATURE"],
    ["section not last", appendCustomSection(signed, "later", new Uint8Array(0)), "E_BAD_PATCH_SIGNATURE"],
    ["not JSON", appendCustomSection(patch, SIGNATURE_SECTION, new Uint8Array([123, 0])), "E_BAD_PATCH_SIGNATURE"],
    ["wrong shape", appendCustomSection(patch, SIGNATURE_SECTION, new TextEncoder().encode(JSON.stringify({ ...sig, alg: "rsa" }))), "E_BAD_PATCH_SIGNATURE"],
  ];
  const { host, lines, events } = await signedOnlyHost();
  const memory = () => new Uint8Array((host.instance.exports.memory as WebAssembly.Memory).buffer).slice();
  const before = memory();
  const compile = WebAssembly.compile;
  let compiled = 0;
  WebAssembly.compile = (async (b: BufferSource) => { compiled++; return compile(b); }) as typeof WebAssembly.compile;
  try {
    for (const [name, bytes, code] of cases) {
      const got = await host.loadHP({ hp_bytes: bytes }).then(() => "loaded", (e: HotwasmError) => e.code);
      expect([name, got]).toEqual([name, code]);
    }
  } finally {
    WebAssembly.compile = compile;
  }
  expect(compiled).toBe(0);
  expect(events.map((e) => e.type)).toEqual(cases.map(() => "refused"));
  expect(host.getHPInfo()).toEqual([]);
  expect(memory()).toEqual(before);
  host.exports.func1();
  expect(lines).toEqual(["func1: 100"]);
});

test("the verifier alone; bad trusted-key sources are refused with E_ADMIN_CONFIG", async () => {
  const verify = createPatchVerifier(trusted);
  expect(codeOf(() => verify(signPatch(patch, alice.privateKeyPem, EXAMPLE_CONFIG)))).toBe("no error");
  expect(codeOf(() => verify(patch))).toBe("E_PATCH_UNSIGNED");
  expect(codeOf(() => verify(new Uint8Array([1, 2, 3])))).toBe("E_INVALID_MODULE");
  expect(codeOf(() => signPatch(patch, "not a key", "any"))).toBe("E_ADMIN_CONFIG");
  await writeFile(join(dir, "empty.pem"), "");
  const refused = async (path: string) => readTrustedKeys(path).then(() => "read", (e: HotwasmError) => e.code);
  expect(await refused(join(dir, "empty.pem"))).toBe("E_ADMIN_CONFIG");
  expect(await refused(join(dir, "missing"))).toBe("E_ADMIN_CONFIG");
  await writeFile(join(dir, "rsa.pem"), (await import("node:crypto")).generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "pem", type: "spki" }));
  expect(await refused(join(dir, "rsa.pem"))).toBe("E_ADMIN_CONFIG");
});
