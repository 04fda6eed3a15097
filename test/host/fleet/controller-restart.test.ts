// The controller keeps all its state in the engine: a `hotwasm fleet controller` killed with
// SIGKILL mid-rollout — right after writing a transition, before recording it — and started
// again resumes: no step skipped or repeated, each transition recorded once. A second controller
// started beside it stays passive while the lease is held; two racing writes: one wins.

import { tmpdir } from "node:os";
import { afterEach, describe, expect, test } from "vitest";
import { decideNext, pushPatch, readAudit, rolloutKey, setUpFleet, startRollout, type RolloutState, type TransitionRecord } from "../../../host/fleet/index.js";
import { writeEntry, readSnapshot } from "../../../host/fleet/snapshot.js";
import { encodeRecord } from "../../../host/fleet/records.js";
import { converged, openEngine, readState, skipFleet, startEngine, startHosts, stopFleet, versionPatch, waitUntil } from "../../helpers/fleet.js";
import { startFleetProcess, stopFleetProcesses } from "../../helpers/fleet-process.js";

afterEach(async () => {
  await stopFleetProcesses();
  await stopFleet();
});

const running = /^hotwasm fleet controller: running as /;

describe.skipIf(skipFleet)("controller restart", () => {
  test("SIGKILL between a transition's write and its record, then a restart: it resumes with no step skipped or repeated; a second controller does not act", async () => {
    const nats = await startEngine();
    const args = (id: string) => ["fleet", "controller", "--fleet", nats.urls[0]!, "--id", id, "--tick", "250ms", "--lease", "2s"];
    const a = await startFleetProcess(tmpdir(), args("ctl-a"), running, { HOTWASM_TEST_PAUSE_AT: "transition-written:3" });
    const engine = await openEngine(nats.urls);
    const hosts = await startHosts(nats.urls, 10, { pollMs: 500 });
    const build = hosts[0]!.host.manifest.buildId;
    const { sha256 } = await pushPatch(engine, versionPatch(2));
    await startRollout(engine, { build_id: build, rollout_id: "restart-test", patch: { sha256, replace_config: { version: "version" } }, steps: [10, 50, 100].map((pct) => ({ pct, hold_ms: 1500 })) });

    await a.waitForLine(/paused at transition-written \(generation 3\)/, 0, 30_000);
    await a.kill();
    const killedAt = (await readState(engine, build))!;
    expect([killedAt.gen, killedAt.phase, killedAt.step, killedAt.lease?.holder]).toEqual([3, "waves", 1, "ctl-a"]);
    expect((await transitions(engine, build)).map((t) => t.gen)).toEqual([1, 2]);

    const b = await startFleetProcess(tmpdir(), args("ctl-b"), running);
    await waitUntil(async () => (await readState(engine, build))?.lease?.holder === "ctl-b", "the restarted controller to take the lease over", 20_000);
    const c = await startFleetProcess(tmpdir(), args("ctl-c"), running);
    await waitUntil(async () => (await readState(engine, build))?.phase === "done", "the rollout to finish", 60_000);
    await waitUntil(() => converged(engine, build, hosts.map((h) => h.id)), "every host to converge");

    const recorded = await transitions(engine, build);
    expect(recorded.map((t) => [t.gen, t.from, t.to, t.step])).toEqual([
      [1, null, "pending", 0], [2, "pending", "canary", 0], [3, "canary", "waves", 1], [4, "waves", "waves", 2], [5, "waves", "done", 2],
    ]);
    expect(recorded.map((t) => t.controller)).toEqual(["ctl-a", "ctl-a", "ctl-b", "ctl-b", "ctl-b"]);
    expect(b.lines.some((l) => /recorded generation 3 \(canary → waves\)/.test(l))).toBe(true);
    expect(c.lines.filter((l) => l.includes("→"))).toEqual([]);
    expect(hosts.map((h) => h.host.exports.version())).toEqual(hosts.map(() => 2));
  });

  test("two controllers deciding on one state: one compare-and-set wins, the other gets E_FLEET_CONFLICT and writes nothing", async () => {
    const nats = await startEngine();
    const engine = await openEngine(nats.urls);
    await setUpFleet(engine);
    const hosts = await startHosts(nats.urls, 4, { pollMs: 500 });
    const build = hosts[0]!.host.manifest.buildId;
    const { sha256 } = await pushPatch(engine, versionPatch(3));
    await startRollout(engine, { build_id: build, patch: { sha256 }, steps: [{ pct: 100, hold_ms: 0 }] });
    const snap = await readSnapshot(engine, build);
    const now = Date.now();
    const writes = ["x", "y"].map((id) => {
      const d = decideNext(snap, now, { id, leaseMs: 5000 });
      if (d.kind !== "write") throw new Error("expected a write");
      return writeEntry(engine.fleet, rolloutKey(build), encodeRecord(d.next), snap.revision).then(() => "ok", (err: { code?: string }) => err.code);
    });
    expect((await Promise.all(writes)).sort()).toEqual(["E_FLEET_CONFLICT", "ok"]);
    const state = (await readState(engine, build)) as RolloutState;
    expect([state.gen, state.phase]).toEqual([1, "pending"]);
    // The loser reads again and sees the winner's lease: it waits.
    const again = decideNext(await readSnapshot(engine, build), Date.now(), { id: state.lease!.holder === "x" ? "y" : "x", leaseMs: 5000 });
    expect(again).toEqual({ kind: "wait", why: `controller ${state.lease!.holder} holds the lease` });
  });
});

async function transitions(engine: Parameters<typeof readAudit>[0], build: string): Promise<TransitionRecord[]> {
  return (await readAudit(engine, build)).filter((r): r is TransitionRecord => r.kind === "transition");
}
