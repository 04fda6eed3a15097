// The host agent on a real nats-server: it manages only the fleet's patches (one loaded by hand
// stays), restores the rollout's order when a fleet patch is taken out by hand, keeps its set while
// the engine is gone and reports again when it is back, and joins a HostPool as well as a Host.

import { afterEach, describe, expect, test } from "vitest";
import { FleetAgent, pushPatch, readFleetStatus, requestRollback, startRollout, type FleetEngine } from "../../../host/fleet/index.js";
import { converged, openEngine, readState, skipFleet, startController, startEngine, startHost, stopFleet, versionPatch, waitUntil } from "../../helpers/fleet.js";
import { makePool, versionPatch as poolVersionPatch } from "../../helpers/pool.js";
import { fnPatch } from "../../helpers/wat.js";

afterEach(stopFleet);

const steps = [{ pct: 100, hold_ms: 0 }];

/** True when rollout `rid` is done and every host in `ids` acked it. */
async function isDone(engine: FleetEngine, build: string, rid: string, ids: string[]): Promise<boolean> {
  const state = await readState(engine, build);
  return state?.rollout_id === rid && state.phase === "done" && (await converged(engine, build, ids));
}

describe.skipIf(skipFleet)("the host agent", () => {
  test("a patch loaded by hand stays; fleet patches taken out by hand come back in the rollout's order", async () => {
    const nats = await startEngine();
    await startController(nats.urls);
    const engine = await openEngine(nats.urls);
    const { host, agent, id } = await startHost(nats.urls, "solo", { pollMs: 60_000 });
    await agent.whenJoined();
    const build = host.manifest.buildId;
    const local = await host.loadHP({ hp_bytes: fnPatch("add", "(param i32 i32) (result i32)", "(i32.const 7)"), replace_config: { add: "add" } });
    const p1 = await pushPatch(engine, versionPatch(2));
    const p2 = await pushPatch(engine, fnPatch("scale", "(param f64) (result f64)", "(f64.const 9)"));
    for (const [rid, p, cfg] of [["one", p1, { version: "version" }], ["two", p2, { scale: "scale" }]] as const) {
      await startRollout(engine, { build_id: build, rollout_id: rid, patch: { sha256: p.sha256, replace_config: cfg }, steps });
      await waitUntil(() => isDone(engine, build, rid, [id]), `rollout ${rid}`);
    }
    const shas = () => host.getHPInfo().filter((p) => p.state === "loaded").map((p) => p.sha256);
    expect(shas()).toEqual([host.getHPInfo()[0]!.sha256, p1.sha256, p2.sha256]);
    expect([host.exports.add(1, 1), host.exports.version(), host.exports.scale(1)]).toEqual([7, 2, 9]);

    await host.unloadHP(host.getHPInfo().find((p) => p.sha256 === p1.sha256)!.hp_id);
    await agent.reconcileNow();
    expect(shas().slice(1)).toEqual([p1.sha256, p2.sha256]);
    expect(host.getHPInfo()[0]!.hp_id).toBe(local);

    await requestRollback(engine, build, "test");
    await waitUntil(async () => (await readState(engine, build))?.phase === "rolled_back", "the rollback");
    expect(shas().slice(1)).toEqual([p1.sha256]);
    expect([host.exports.add(1, 1), host.exports.version(), host.exports.scale(1)]).toEqual([7, 2, 2]);
  });

  test("the engine gone: the host keeps its set and says so; the engine back: it reports again", async () => {
    const nats = await startEngine();
    await startController(nats.urls);
    const engine = await openEngine(nats.urls);
    const { host, agent, id } = await startHost(nats.urls, "keeper", { pollMs: 300 });
    await agent.whenJoined();
    const build = host.manifest.buildId;
    const p1 = await pushPatch(engine, versionPatch(2));
    await startRollout(engine, { build_id: build, rollout_id: "keep", patch: { sha256: p1.sha256, replace_config: { version: "version" } }, steps });
    await waitUntil(() => isDone(engine, build, "keep", [id]), "the rollout");
    await nats.nodes[0]!.kill();
    await waitUntil(() => !agent.view().connected, "the agent to notice");
    await new Promise((r) => setTimeout(r, 1000));
    expect(host.exports.version()).toBe(2);
    expect(agent.debugSection().rows.find((r) => r[0] === "connection")![1]).toMatch(/^not joined: /);
    await nats.nodes[0]!.restart();
    await waitUntil(() => agent.view().connected, "the agent to reach the engine again", 30_000);
    expect(host.exports.version()).toBe(2);
    expect(agent.view().status).toMatchObject({ rollout_id: "keep", result: "ack", applied: [p1.sha256] });
  });

  test("two processes under one host name: the newer keeps it, the older stops acting on the fleet (E_FLEET_CONFLICT) and keeps its patches", async () => {
    const nats = await startEngine();
    await startController(nats.urls);
    const engine = await openEngine(nats.urls);
    const first = await startHost(nats.urls, "twin", { pollMs: 300, heartbeatMs: 300 });
    await first.agent.whenJoined();
    await first.host.loadHP({ hp_bytes: versionPatch(4), replace_config: { version: "version" } });
    const second = await startHost(nats.urls, "twin", { pollMs: 300, heartbeatMs: 300 });
    await second.agent.whenJoined();
    await waitUntil(() => /^E_FLEET_CONFLICT: another process \(pid \d+ on .+\) joined the fleet as "twin"/.test(first.agent.view().problem ?? ""), "the first agent to step back");
    await new Promise((r) => setTimeout(r, 1000));
    const status = await readFleetStatus(engine);
    expect(status.builds[0]!.hosts.map((h) => [h.host_id, h.live])).toEqual([["twin", true]]);
    expect(second.agent.view().problem).toBeNull();
    expect(first.host.exports.version()).toBe(4);
  });

  test("a HostPool joins: every worker loads the fleet's patch, and a rollback unloads it from all", async () => {
    const nats = await startEngine();
    await startController(nats.urls);
    const engine = await openEngine(nats.urls);
    const { pool } = await makePool(2);
    try {
      const agent = FleetAgent.start(pool, { engine: { servers: nats.urls }, hostId: "pool-1", kind: "pool", pollMs: 500, heartbeatMs: 500 });
      await agent.whenJoined();
      const build = pool.manifest.buildId;
      const p = await pushPatch(engine, poolVersionPatch(5));
      await startRollout(engine, { build_id: build, rollout_id: "pool", patch: { sha256: p.sha256, replace_config: { version: "version" } }, steps });
      await waitUntil(() => isDone(engine, build, "pool", ["pool-1"]), "the pool to ack");
      expect([await pool.callOn(0, "version"), await pool.callOn(1, "version")]).toEqual([5, 5]);
      await requestRollback(engine, build, "test");
      await waitUntil(async () => (await readState(engine, build))?.phase === "rolled_back", "the rollback");
      expect([await pool.callOn(0, "version"), await pool.callOn(1, "version")]).toEqual([1, 1]);
      await agent.close();
    } finally {
      await pool.close();
    }
  });
});
