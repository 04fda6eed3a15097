// A three-node JetStream cluster on loopback (R3 buckets): the leader of the rollout state's
// stream killed mid-wave loses nothing and every host converges (agents poll; the watch alone can
// stall for a minute after a leader loss); with two of three nodes down nothing can be written, so
// no transition happens and the hosts keep their patches, until the nodes are back.

import { afterEach, describe, expect, test } from "vitest";
import { isHotwasmError } from "../../../host/index.js";
import { LAYOUT, promoteRollout, pushPatch, readAudit, startRollout, type FleetEngine, type TransitionRecord } from "../../../host/fleet/index.js";
import { converged, openEngine, readState, skipFleet, startController, startEngine, startHosts, stopFleet, versionPatch, waitUntil } from "../../helpers/fleet.js";

afterEach(stopFleet);

describe.skipIf(skipFleet)("a three-node cluster", () => {
  test("the state's stream leader killed mid-wave: nothing lost, every host converges; two of three nodes down: no transition, patches kept", async () => {
    const nats = await startEngine(true);
    await startController(nats.urls, { layout: { replicas: 3 } });
    const engine = await openEngine(nats.urls);
    const hosts = await startHosts(nats.urls, 12, { pollMs: 1000 });
    const ids = hosts.map((h) => h.id);
    const build = hosts[0]!.host.manifest.buildId;
    const p1 = await pushPatch(engine, versionPatch(2));
    await startRollout(engine, { build_id: build, rollout_id: "wave", patch: { sha256: p1.sha256, replace_config: { version: "version" } }, steps: [{ pct: 20, hold_ms: null }, { pct: 100, hold_ms: 0 }] });
    await waitUntil(async () => (await readState(engine, build))?.phase === "canary" && (await converged(engine, build, ids)), "the canary");

    // Mid-wave: promoted, and the leader of the state's stream killed while the hosts load the patch.
    const leader = await streamLeader(engine, `KV_${LAYOUT.fleet}`);
    await promoteRollout(engine, build);
    await waitUntil(async () => (await readState(engine, build))?.phase === "waves", "the wave to start");
    await nats.nodes.find((n) => n.name === leader)!.kill();
    const killed = performance.now();
    await waitUntil(async () => (await readState(engine, build).catch(() => null))?.phase === "done" && (await converged(engine, build, ids)), "every host to converge after the leader's death", 90_000);
    console.log(`fleet: 12 hosts converged ${(performance.now() - killed).toFixed(0)} ms after the stream leader was killed mid-wave`);
    expect(hosts.map((h) => h.host.exports.version())).toEqual(hosts.map(() => 2));
    expect((await transitions(engine, build)).map((t) => [t.gen, t.to])).toEqual([[1, "pending"], [2, "canary"], [3, "waves"], [4, "done"]]);
    await nats.nodes.find((n) => n.name === leader)!.restart();

    // Two of three down: a promotion cannot be written, nothing moves, the hosts keep their sets.
    const p2 = await pushPatch(engine, versionPatch(3));
    await waitUntil(() => startRollout(engine, { build_id: build, rollout_id: "second", patch: { sha256: p2.sha256, replace_config: { version: "version" } }, steps: [{ pct: 20, hold_ms: null }, { pct: 100, hold_ms: 0 }] }).then(() => true, () => false), "the restarted node to rejoin");
    await waitUntil(async () => (await readState(engine, build))?.phase === "canary" && (await converged(engine, build, ids)), "the second canary");
    const before = (await readState(engine, build))!;
    const versions = hosts.map((h) => h.host.exports.version());
    expect(versions.filter((v) => v === 3)).toHaveLength(3);
    const down = nats.nodes.filter((n) => n.name !== leader).slice(0, 2);
    for (const n of down) await n.kill();
    const refused = await promoteRollout(engine, build).then(() => null, (err: unknown) => (isHotwasmError(err) ? err.code : String(err)));
    expect(refused).toBe("E_FLEET_UNREACHABLE");
    await new Promise((r) => setTimeout(r, 3000)); // several polls and ticks
    expect(hosts.map((h) => h.host.exports.version())).toEqual(versions);
    for (const n of down) await n.restart();
    await waitUntil(async () => (await readState(engine, build).catch(() => null)) !== null, "the cluster to answer again", 60_000);
    const after = (await readState(engine, build))!;
    expect([after.gen, after.phase, after.admitted]).toEqual([before.gen, before.phase, before.admitted]);
    await waitUntil(() => promoteRollout(engine, build).then(() => true, () => false), "the promotion to go through", 30_000);
    await waitUntil(async () => (await readState(engine, build).catch(() => null))?.phase === "done" && (await converged(engine, build, ids)), "every host to converge on the second patch", 60_000);
    expect(hosts.map((h) => h.host.exports.version())).toEqual(hosts.map(() => 3));
    expect((await transitions(engine, build)).map((t) => [t.gen, t.to, t.admitted])).toEqual([
      [1, "pending", 0], [2, "canary", 3], [3, "waves", 12], [4, "done", 12], [5, "pending", 0], [6, "canary", 3], [7, "waves", 12], [8, "done", 12],
    ]);
  });
});

async function streamLeader(engine: FleetEngine, stream: string): Promise<string> {
  const info = await engine.jsm.streams.info(stream);
  if (!info.cluster?.leader) throw new Error(`stream ${stream} has no leader`);
  return info.cluster.leader;
}

/** The build's transitions in the audit stream (read again while the stream's new leader settles). */
async function transitions(engine: FleetEngine, build: string): Promise<TransitionRecord[]> {
  let records: TransitionRecord[] = [];
  await waitUntil(() => readAudit(engine, build).then((all) => {
    records = all.filter((r): r is TransitionRecord => r.kind === "transition");
    return true;
  }, () => false), "the audit stream to answer", 30_000);
  return records;
}
