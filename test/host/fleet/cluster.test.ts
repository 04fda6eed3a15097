// A three-node JetStream cluster on loopback (R3 buckets): the leader of the rollout state's
// stream killed mid-wave loses nothing and every host converges (agents poll; the watch alone can
// stall for a minute after a leader loss); with two of three nodes down nothing can be written, so
// no transition happens and the hosts keep their patches, until the nodes are back. npm test runs
// the first with 12 hosts; `npm run fleet` runs both with 50 (HOTWASM_FLEET_HOSTS).

import { afterEach, describe, expect, test } from "vitest";
import { isHotwasmError } from "../../../host/index.js";
import { LAYOUT, promoteRollout, pushPatch, readAudit, readFleetStatus, startRollout, type FleetEngine, type TransitionRecord } from "../../../host/fleet/index.js";
import { converged, openEngine, readState, skipFleet, startController, startEngine, startHosts, stopFleet, versionPatch, waitUntil } from "../../helpers/fleet.js";

/** Hosts of the fleet under test; set (by `npm run fleet`, 50) for the long run. */
const HOSTS = Number(process.env.HOTWASM_FLEET_HOSTS ?? 12);
const LONG = process.env.HOTWASM_FLEET_HOSTS !== undefined;
/** The canary step's 20 %. */
const CANARY = Math.ceil(HOSTS * 0.2);

afterEach(stopFleet);

describe.skipIf(skipFleet)("a three-node cluster", () => {
  test("the state's stream leader killed mid-wave: nothing lost, every host converges", async () => {
    const { nats, engine, hosts, ids, build } = await startCluster();
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
    console.log(`fleet: ${HOSTS} hosts converged ${(performance.now() - killed).toFixed(0)} ms after the stream leader was killed mid-wave`);
    expect(hosts.map((h) => h.host.exports.version())).toEqual(hosts.map(() => 2));
    // The audit record of a transition written while the stream had no leader follows on a later pass.
    const expected = [[1, "pending", 0], [2, "canary", CANARY], [3, "waves", HOSTS], [4, "done", HOSTS]];
    await waitUntil(async () => (await transitions(engine, build).catch(() => [])).length >= expected.length, "every transition in the audit", 30_000);
    expect((await transitions(engine, build)).map((t) => [t.gen, t.to, t.admitted])).toEqual(expected);
  });

  // The suite runs the test above; this one runs under `npm run fleet` (a minute more of node restarts).
  test.runIf(LONG)("two of three nodes down: no transition, patches kept; the nodes back: the rollout completes", async () => {
    const { nats, engine, hosts, ids, build } = await startCluster();
    const spec = (id: string, sha256: string) => ({ build_id: build, rollout_id: id, patch: { sha256, replace_config: { version: "version" } }, steps: [{ pct: 20, hold_ms: null }, { pct: 100, hold_ms: 0 }] });
    const p1 = await pushPatch(engine, versionPatch(2));
    await startRollout(engine, spec("first", p1.sha256));
    await waitUntil(async () => (await readState(engine, build))?.phase === "canary" && (await converged(engine, build, ids)), "the first canary");
    await promoteRollout(engine, build);
    await waitUntil(async () => (await readState(engine, build))?.phase === "done" && (await converged(engine, build, ids)), "the first rollout to be done");

    const p2 = await pushPatch(engine, versionPatch(3));
    await startRollout(engine, spec("second", p2.sha256));
    await waitUntil(async () => (await readState(engine, build))?.phase === "canary" && (await converged(engine, build, ids)), "the second canary");
    const before = (await readState(engine, build))!;
    const versions = hosts.map((h) => h.host.exports.version());
    expect(versions.filter((v) => v === 3)).toHaveLength(CANARY);
    const down = nats.nodes.slice(0, 2);
    for (const n of down) await n.kill();
    const refused = await promoteRollout(engine, build).then(() => null, (err: unknown) => (isHotwasmError(err) ? err.code : String(err)));
    expect(refused).toBe("E_FLEET_UNREACHABLE");
    await new Promise((r) => setTimeout(r, 3000)); // several polls and ticks
    expect(hosts.map((h) => h.host.exports.version())).toEqual(versions);
    for (const n of down) await n.restart();
    await waitUntil(async () => (await readState(engine, build).catch(() => null)) !== null, "the cluster to answer again", 60_000);
    // A long outage lets the presences lapse (bucket TTL); the hosts announce themselves again.
    await waitUntil(() => allLive(engine, build, ids), "every host to be live again", 60_000);
    const after = (await readState(engine, build))!;
    expect([after.gen, after.phase, after.admitted]).toEqual([before.gen, before.phase, before.admitted]);
    await waitUntil(() => promoteRollout(engine, build).then(() => true, () => false), "the promotion to go through", 30_000);
    await waitUntil(async () => (await readState(engine, build).catch(() => null))?.phase === "done" && (await converged(engine, build, ids)), "every host to converge on the second patch", 60_000);
    expect(hosts.map((h) => h.host.exports.version())).toEqual(hosts.map(() => 3));
    expect((await transitions(engine, build)).map((t) => [t.gen, t.to, t.admitted])).toEqual([
      [1, "pending", 0], [2, "canary", CANARY], [3, "waves", HOSTS], [4, "done", HOSTS], [5, "pending", 0], [6, "canary", CANARY], [7, "waves", HOSTS], [8, "done", HOSTS],
    ]);
  });
});

/** The cluster, its controller (R3 buckets), a connection and the hosts. */
async function startCluster() {
  const nats = await startEngine(true);
  await startController(nats.urls, { layout: { replicas: 3 } });
  const engine = await openEngine(nats.urls);
  const hosts = await startHosts(nats.urls, HOSTS, { pollMs: 1000 });
  return { nats, engine, hosts, ids: hosts.map((h) => h.id), build: hosts[0]!.host.manifest.buildId };
}

async function allLive(engine: FleetEngine, build: string, ids: string[]): Promise<boolean> {
  const status = await readFleetStatus(engine, build).catch(() => null);
  const live = new Set((status?.builds[0]?.hosts ?? []).filter((h) => h.live).map((h) => h.host_id));
  return ids.every((id) => live.has(id));
}

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
