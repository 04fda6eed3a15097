// The signature covers the config as well as the bytes: a signed patch loads only with the
// replace_config and ref_config its signer allowed (unless signed for any config), and a signed
// statement has one canonical form, so it cannot be altered into another patch id for the same
// code (issue 14, attack 7). Old (format 1) signatures are refused, by name.

import { beforeAll, expect, test } from "vitest";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Host } from "../../../host/core/host.js";
import { consoleImports } from "../../../host/core/console-imports.js";
import type { HotwasmError } from "../../../host/errors.js";
import type { LoadConfig } from "../../../host/model/config.js";
import { canonicalJson, SIGNATURE_SECTION, splitSignature, stripSignature } from "../../../host/link/patch-signature.js";
import { patchIdOf } from "../../../host/link/patch-identity.js";
import { appendCustomSection } from "../../../host/wasm/wasm-sections.js";
import { createPatchVerifier, generateSigningKeys, keyIdOf, signPatch } from "../../../host/node/patch-signing.js";
import { PatchJournal } from "../../../host/node/patch-journal.js";
import { restorePatches } from "../../../host/node/restore-patches.js";
import { exampleBinaries } from "../../helpers/example-app.js";
import { EXAMPLE_CONFIG } from "../../../example/build.js";
import { createPublicKey, sign } from "node:crypto";

let app: Uint8Array;
let patch: Uint8Array;
const alice = generateSigningKeys();
const verifyPatch = () => createPatchVerifier([{ keyId: alice.keyId, key: createPublicKey(alice.publicKeyPem), source: "alice.pub" }]);

beforeAll(async () => { ({ app, patch } = await exampleBinaries()); });

async function signedOnlyHost() {
  const lines: string[] = [];
  let host: Host | undefined;
  host = await Host.instantiate(app, consoleImports(() => host, (l) => lines.push(l)), { verifyPatch: verifyPatch() });
  return { host, lines };
}

/** The outcome of a load on a fresh signed-only host; the program is checked unchanged after a refusal. */
async function load(config: LoadConfig): Promise<string> {
  const { host, lines } = await signedOnlyHost();
  const outcome = await host.loadHP(config).then(() => "loaded", (e: HotwasmError) => e.code);
  if (outcome !== "loaded") {
    host.exports.func1();
    expect([lines, host.getHPInfo()]).toEqual([["func1: 100"], []]);
  }
  return outcome;
}

/** The signed patch with its section payload replaced by `text`. */
const withStatement = (signed: Uint8Array, text: string) => appendCustomSection(stripSignature(signed), SIGNATURE_SECTION, new TextEncoder().encode(text));

test("signed for its own config: loads with it (given or not); another replace_config or ref_config is E_SIGNED_CONFIG_MISMATCH", async () => {
  const signed = signPatch(patch, alice.privateKeyPem, EXAMPLE_CONFIG);
  expect(await load({ hp_bytes: signed })).toBe("loaded");
  expect(await load({ hp_bytes: signed, ...EXAMPLE_CONFIG })).toBe("loaded");
  expect(await load({ hp_bytes: signed, replace_config: { HPBeforeLoad: "main.getGlobalValue" } })).toBe("E_SIGNED_CONFIG_MISMATCH");
  expect(await load({ hp_bytes: signed, ref_config: { ...EXAMPLE_CONFIG.ref_config, Func2Ref: "main.func1" } })).toBe("E_SIGNED_CONFIG_MISMATCH");
  expect(await load({ hp_bytes: signed, replace_config: {}, ref_config: EXAMPLE_CONFIG.ref_config })).toBe("E_SIGNED_CONFIG_MISMATCH");
});

test("signed for another config, or for any: the signer decides", async () => {
  const onlyRefs = { replace_config: {}, ref_config: EXAMPLE_CONFIG.ref_config };
  const forRefs = signPatch(patch, alice.privateKeyPem, onlyRefs);
  expect(await load({ hp_bytes: forRefs })).toBe("E_SIGNED_CONFIG_MISMATCH"); // the embedded config is not what was signed
  expect(await load({ hp_bytes: forRefs, ...onlyRefs })).toBe("loaded");
  const any = signPatch(patch, alice.privateKeyPem, "any");
  expect(splitSignature(any).signature!.config).toBe("any");
  expect(await load({ hp_bytes: any, ref_config: { ...EXAMPLE_CONFIG.ref_config, Func2Ref: "main.func2" }, replace_config: {} })).toBe("loaded");
  expect(await load({ hp_bytes: any })).toBe("loaded");
});

test("the statement has one form: duplicate keys, spaces, other key orders, other base64 of the same signature and format 1 are refused", async () => {
  const signed = signPatch(patch, alice.privateKeyPem, EXAMPLE_CONFIG);
  const sig = splitSignature(signed).signature!;
  const text = canonicalJson(sig);
  expect(new TextDecoder().decode(signed.subarray(signed.length - text.length))).toBe(text);
  const last = sig.sig[85]!;
  const sameBytes = "AQgw".includes(last) ? String.fromCharCode(last.charCodeAt(0) + 1) : null; // low bits the decoder ignores
  const variants: [string, string][] = [
    ["a duplicate key", text.replace('{"alg"', '{"alg":"ed25519","alg"')],
    ["spaces", JSON.stringify(sig, null, 1)],
    ["another key order", JSON.stringify({ sig: sig.sig, v: sig.v, alg: sig.alg, key_id: sig.key_id, config: sig.config })],
    ["an escaped character", text.replace('"ed25519"', '"\\u0065d25519"')],
    ["format 1 (no config)", JSON.stringify({ alg: "ed25519", key_id: sig.key_id, sig: sig.sig })],
  ];
  if (sameBytes) variants.push(["another base64 of the same signature", text.replace(`${last}=="`, `${sameBytes}=="`)]);
  expect(variants.length).toBeGreaterThanOrEqual(5);
  for (const [name, altered] of variants) {
    expect([name, await load({ hp_bytes: withStatement(signed, altered) })]).toEqual([name, "E_BAD_PATCH_SIGNATURE"]);
  }
  const { host } = await signedOnlyHost();
  const v1 = await host.loadHP({ hp_bytes: withStatement(signed, variants[4]![1]) }).catch((e: HotwasmError) => e.message);
  expect(v1).toMatch(/signature of format 1, which does not cover the config .*; sign it again with `hotwasm sign`/);
});

test("a statement naming another config than the one signed does not verify", async () => {
  const signed = signPatch(patch, alice.privateKeyPem, EXAMPLE_CONFIG);
  const sig = splitSignature(signed).signature!;
  const swapped = canonicalJson({ ...sig, config: { replace_config: { HPBeforeLoad: "main.getGlobalValue" }, ref_config: {} } });
  expect(await load({ hp_bytes: withStatement(signed, swapped), replace_config: { HPBeforeLoad: "main.getGlobalValue" }, ref_config: {} })).toBe("E_BAD_PATCH_SIGNATURE");
  // A correct signature over a statement whose JSON is not canonical is refused all the same.
  const statement = { v: 2, alg: "ed25519", key_id: keyIdOf(createPublicKey(alice.publicKeyPem)), config: EXAMPLE_CONFIG };
  const body = stripSignature(signed);
  const message = new Uint8Array([...new TextEncoder().encode(`hotwasm patch signature v2\n${canonicalJson(statement)}\n`), ...body]);
  const good = sign(null, message, alice.privateKeyPem).toString("base64");
  expect(await load({ hp_bytes: withStatement(signed, canonicalJson({ ...statement, sig: good })) })).toBe("loaded");
  expect(await load({ hp_bytes: withStatement(signed, `${canonicalJson({ ...statement, sig: good })} `) })).toBe("E_BAD_PATCH_SIGNATURE");
});

test("a journal edited to load a signed patch with another config (id recomputed) is refused at restart", async () => {
  const dir = await mkdtemp(join(tmpdir(), "hotwasm-signed-state-"));
  try {
    const signed = signPatch(patch, alice.privateKeyPem, EXAMPLE_CONFIG);
    const first = await signedOnlyHost();
    await restorePatches(first.host, await PatchJournal.open(dir), () => {});
    await first.host.loadHP({ hp_bytes: signed });
    const list = JSON.parse(await readFile(join(dir, "journal.json"), "utf8"));
    const entry = list.patches[0];
    entry.config.ref_config.Func2Ref = "main.func1"; // a stack overflow on every tick, kept across restarts
    entry.hp_id = patchIdOf(entry.sha256, entry.config);
    await writeFile(join(dir, "journal.json"), JSON.stringify(list));
    const second = await signedOnlyHost();
    const report = await restorePatches(second.host, await PatchJournal.open(dir), () => {});
    expect(report.dropped.map((d) => d.code)).toEqual(["E_SIGNED_CONFIG_MISMATCH"]);
    second.host.exports.func1();
    expect(second.lines).toEqual(["func1: 100"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
