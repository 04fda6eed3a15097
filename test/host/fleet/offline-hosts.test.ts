// Hosts that were away converge when they come back: five `hotwasm serve --fleet --state-dir`
// processes stopped, the fleet's patch rolled back and a new one promoted meanwhile; restarted
// with their state directories they unload the rolled-back patch they restored and load the new one.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import type { HPInfo } from "../../../host/index.js";
import { promoteRollout, pushPatch, requestRollback, startRollout } from "../../../host/fleet/index.js";
import { baseBinary } from "../../helpers/base.js";
import { converged, openEngine, readState, skipFleet, startController, startEngine, startHosts, stopFleet, versionPatch, waitUntil } from "../../helpers/fleet.js";
import { startFleetProcess, stopFleetProcesses, type FleetProcess } from "../../helpers/fleet-process.js";

let dir = "";
afterEach(async () => {
  await stopFleetProcesses();
  await stopFleet();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(skipFleet)("hosts that were away", () => {
  test("five served hosts stopped, a rollback and a promotion meanwhile, restarted from their state directories: they converge, the rolled-back patch is unloaded", async () => {
    dir = await mkdtemp(join(tmpdir(), "hotwasm-fleet-"));
    await writeFile(join(dir, "app.wasm"), await baseBinary());
    await writeFile(join(dir, "imports.mjs"), "export default () => ({ env: { log() {}, callback() {} } });\n");
    const nats = await startEngine();
    await startController(nats.urls);
    const engine = await openEngine(nats.urls);
    const local = await startHosts(nats.urls, 5, { pollMs: 500 });
    const build = local[0]!.host.manifest.buildId;
    const names = ["s0", "s1", "s2", "s3", "s4"];
    const serve = (name: string) => startFleetProcess(dir, [
      "serve", "app.wasm", "--port", "0", "--imports", "imports.mjs", "--state-dir", `state-${name}`,
      "--fleet", nats.urls[0]!, "--fleet-name", name, "--fleet-poll", "500ms",
    ], /^hotwasm serve: listening on /);
    let served = await Promise.all(names.map(serve));
    const everyone = [...local.map((h) => h.id), ...names];
    await waitUntil(() => converged(engine, build, everyone), "all ten hosts to report");

    const p1 = await pushPatch(engine, versionPatch(2));
    await startRollout(engine, { build_id: build, rollout_id: "first", patch: { sha256: p1.sha256, replace_config: { version: "version" } }, steps: [{ pct: 100, hold_ms: 0 }] });
    await waitUntil(async () => (await readState(engine, build))?.phase === "done", "the first rollout to be done");
    await waitUntil(() => converged(engine, build, everyone), "all ten hosts to load the first patch");
    for (const s of served) expect((await info(s)).map((p) => p.sha256)).toEqual([p1.sha256]);

    expect(await Promise.all(served.map((s) => s.stop()))).toEqual(served.map(() => 0));
    await requestRollback(engine, build, "a test");
    await waitUntil(async () => (await readState(engine, build))?.phase === "rolled_back", "the rollback of the first patch");
    const p2 = await pushPatch(engine, versionPatch(3));
    await startRollout(engine, { build_id: build, rollout_id: "second", patch: { sha256: p2.sha256, replace_config: { version: "version" } }, steps: [{ pct: 20, hold_ms: null }, { pct: 100, hold_ms: 0 }] });
    await waitUntil(async () => (await readState(engine, build))?.phase === "canary", "the second rollout's canary");
    await waitUntil(() => converged(engine, build, local.map((h) => h.id)), "the five hosts left to ack the canary");
    await promoteRollout(engine, build);
    await waitUntil(async () => (await readState(engine, build))?.phase === "done", "the second rollout to be done");
    expect(local.map((h) => h.host.exports.version())).toEqual([3, 3, 3, 3, 3]);

    served = await Promise.all(names.map(serve));
    await waitUntil(() => converged(engine, build, everyone), "the restarted hosts to converge");
    for (const s of served) {
      expect((await info(s)).filter((p) => p.state === "loaded").map((p) => p.sha256)).toEqual([p2.sha256]);
      expect(s.lines.some((l) => l.includes(`fleet: unloaded ${p1.sha256.slice(0, 12)}`))).toBe(true);
      expect(s.lines.some((l) => l.includes(`fleet: loaded ${p2.sha256.slice(0, 12)}`))).toBe(true);
    }
  });
});

async function info(s: FleetProcess): Promise<HPInfo[]> {
  const url = /listening on (\S+)/.exec(s.lines.find((l) => l.includes("listening on"))!)![1]!;
  return (await (await fetch(`${url}/hp/v1/info`)).json()) as HPInfo[];
}
