// Patches of a base built with safepoints poll too: a worker running a long loop in patched code
// still reaches a safe point, so later swaps go through; the same patch built without its polls
// holds the swap until the safepoint timeout, and nothing switches.

import { afterEach, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildPatch } from "../../../compiler/patch/build-patch.js";
import type { HotwasmError } from "../../../host/errors.js";
import type { HostPool } from "../../../host/pool/host-pool.js";
import { readModule } from "../../../host/wasm/wasm-reader.js";
import { makePool, poolAppBinary, versionPatch, waitUntil } from "../../helpers/pool.js";

let pool: HostPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

const app = readFileSync(fileURLToPath(new URL("../../fixtures/pool-app.ts", import.meta.url)), "utf8");
/** spin() replaced by a loop that never calls back into the base's code: only its own polls are safe points. */
const spinPatch = `
@external("env", "tick") declare function tick(v: i32): void;
@external("env", "keepSpinning") declare function keepSpinning(): i32;
export function spin(): i32 {
  tick(99);
  let n = 0;
  while (keepSpinning()) n++;
  return n;
}
`;
const buildSpinPatch = async (safepoints: boolean) => (await buildPatch({
  patch: "patches/spin.ts", base: await poolAppBinary(), safepoints,
  files: { "assembly/index.ts": app, "patches/spin.ts": spinPatch },
})).binary;
const replaceVersion = { version: "version" };

async function spinInPatch(safepoints: boolean, safepointTimeoutMs: number) {
  const made = await makePool(2, { safepointTimeoutMs });
  pool = made.pool;
  await made.pool.loadHP({ hp_bytes: await buildSpinPatch(safepoints), replace_config: { spin: "spin" } });
  const spin = made.pool.callOn(0, "spin");
  spin.catch(() => undefined);
  await waitUntil(() => made.record.runs(0).some((r) => r.version === 99), "worker 0 runs the patched spin");
  return { ...made, spin };
}

test("a patch of a safepoint build imports the base's poll and countdown, and polls in its loops", async () => {
  const imports = readModule(await buildSpinPatch(true)).imports.map((i) => `${i.module}.${i.name}`);
  expect(imports).toEqual(expect.arrayContaining(["hotwasm.poll", "hotwasm.countdown"]));
  expect(readModule(await buildSpinPatch(false)).imports.map((i) => i.module)).not.toContain("hotwasm");
});

test("a worker in a long loop of patched code reaches a safe point: the next swap goes through", async () => {
  const made = await spinInPatch(true, 60_000);
  await made.pool.loadHP({ hp_bytes: versionPatch(2), replace_config: replaceVersion });
  expect(await made.pool.callOn(1, "callVersion")).toBe(2);
  made.record.stopSpinning();
  expect(await made.spin).toBeGreaterThan(0);
  expect(await made.pool.callOn(0, "callVersion")).toBe(2);
});

test("the same patch without polls holds the swap until the timeout; nothing switches; the stuck worker is replaced", async () => {
  const made = await spinInPatch(false, 1500);
  const err = await made.pool.loadHP({ hp_bytes: versionPatch(2), replace_config: replaceVersion }).then(() => null, (e: HotwasmError) => e);
  expect([err?.code, err?.details.worker]).toEqual(["E_SAFEPOINT_TIMEOUT", 0]);
  expect(await made.pool.callOn(1, "callVersion")).toBe(1);
  expect(await made.spin.then(() => "returned", (e: HotwasmError) => e.code)).toBe("E_WORKER_REPLACED");
  expect(await made.pool.callOn(0, "callVersion")).toBe(1);
  made.record.stopSpinning();
});
