// Patch bytes in the engine's object store, content-addressed: pushed once, fetched whole and
// checked; each way a fetch fails has its code, and only a tampered object is a refusal.

import { afterEach, describe, expect, test } from "vitest";
import { generateSigningKeys, signPatch } from "../../../host/node.js";
import { fetchPatch, pushPatch, readPatchFacts, setUpFleet, sha256Hex } from "../../../host/fleet/index.js";
import { openEngine, skipFleet, startEngine, stopFleet, versionPatch } from "../../helpers/fleet.js";
import { stamp } from "../../helpers/wat.js";

afterEach(stopFleet);

const codeOf = (p: Promise<unknown>) => p.then(() => "none", (err: { code?: string }) => err.code);

describe.skipIf(skipFleet)("the patch store", () => {
  test("push once, fetch whole; too large, missing, tampered and cut short each fail with their code", async () => {
    const nats = await startEngine();
    const engine = await openEngine(nats.urls);
    await setUpFleet(engine);
    const keys = generateSigningKeys();
    const big = signPatch(stamp(versionPatch(2), { base_build_id: "0123456789abcdef0123456789abcdef" }), keys.privateKeyPem, { replace_config: { version: "version" }, ref_config: {} });
    const facts = readPatchFacts(big);
    expect(facts).toEqual({ sha256: sha256Hex(big), size: big.length, build_id: "0123456789abcdef0123456789abcdef", key_id: keys.keyId });
    expect((await pushPatch(engine, big)).stored).toBe(true);
    expect((await pushPatch(engine, big)).stored).toBe(false);
    expect(Buffer.from(await fetchPatch(engine, facts.sha256, 1 << 20)).equals(Buffer.from(big))).toBe(true);
    expect(await codeOf(fetchPatch(engine, facts.sha256, big.length - 1))).toBe("E_PATCH_TOO_LARGE");
    expect(await codeOf(fetchPatch(engine, "f".repeat(64), 1 << 20))).toBe("E_FLEET_PATCH_MISSING");
    expect(() => readPatchFacts(new Uint8Array([1, 2, 3]))).toThrow(expect.objectContaining({ code: "E_INVALID_MODULE" }));

    const other = versionPatch(3);
    const { sha256 } = await pushPatch(engine, other);
    await engine.patches.putBlob({ name: sha256 }, versionPatch(4));
    expect(await codeOf(fetchPatch(engine, sha256, 1 << 20))).toBe("E_FLEET_DIGEST_MISMATCH");

    const info = (await engine.patches.info(facts.sha256))!;
    await engine.jsm.streams.purge("OBJ_hw_patches", { filter: `$O.hw_patches.C.${info.nuid}` });
    expect(await codeOf(fetchPatch(engine, facts.sha256, 1 << 20))).toBe("E_FLEET_UNREACHABLE");
  });
});
