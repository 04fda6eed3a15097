// A staged rollout on a real nats-server with 50 in-process hosts: the canary is exactly
// ceil(10 % × 50) hosts in the rollout's order and nobody else loads the patch; a promotion to
// 100 % converges every host; the audit stream records each transition once.

import { afterEach, describe, expect, test } from "vitest";
import { admitHosts, promoteRollout, pushPatch, readAudit, startRollout, type TransitionRecord } from "../../../host/fleet/index.js";
import { converged, openEngine, skipFleet, readState, startController, startEngine, startHosts, stopFleet, versionPatch, waitUntil } from "../../helpers/fleet.js";

afterEach(stopFleet);

describe.skipIf(skipFleet)("staged rollout", () => {
  test("50 hosts, canary 10 %: exactly 5 load the patch, the other 45 never do; promoted to 100 %, all 50 ack within 5 s", async () => {
    const nats = await startEngine();
    await startController(nats.urls);
    const engine = await openEngine(nats.urls);
    const t0 = performance.now();
    const hosts = await startHosts(nats.urls, 50);
    console.log(`hosts up ${(performance.now() - t0).toFixed(0)}`);
    const build = hosts[0]!.host.manifest.buildId;
    const ids = hosts.map((h) => h.id);
    const patch = versionPatch(2);
    const { sha256 } = await pushPatch(engine, patch);
    const spec = await startRollout(engine, {
      build_id: build, patch: { sha256, replace_config: { version: "version" } }, rollout_id: "canary-test",
      steps: [{ pct: 10, hold_ms: null }, { pct: 100, hold_ms: 0 }],
    });

    await waitUntil(async () => (await readState(engine, build))?.phase === "canary", "the canary step");
    const canary = (await readState(engine, build))!;
    expect(canary.admitted).toEqual(admitHosts(spec.rollout_id, [...ids].sort(), [], 10));
    expect(canary.admitted).toHaveLength(5);
    await waitUntil(() => converged(engine, build, ids), "every host to ack the canary generation");
    const admitted = new Set(canary.admitted);
    const loadedPatch = (h: (typeof hosts)[number]) => h.events.some((e) => e.type === "load-begin");
    expect(hosts.filter(loadedPatch).map((h) => h.id).sort()).toEqual([...admitted].sort());
    expect(hosts.map((h) => h.host.exports.version())).toEqual(hosts.map((h) => (admitted.has(h.id) ? 2 : 1)));
    // A few polls later, still nobody else.
    await new Promise((r) => setTimeout(r, 2500));
    expect(hosts.filter(loadedPatch).map((h) => h.id).sort()).toEqual([...admitted].sort());

    const promoted = performance.now();
    await promoteRollout(engine, build);
    await waitUntil(async () => (await readState(engine, build))?.phase === "done", "the rollout to be done", 5000);
    await waitUntil(() => converged(engine, build, ids), "all 50 hosts to ack the final generation", 5000);
    const ms = performance.now() - promoted;
    console.log(`fleet: 50 hosts acked the final generation ${ms.toFixed(0)} ms after the promotion`);
    expect(ms).toBeLessThan(5000);
    expect(hosts.map((h) => h.host.exports.version())).toEqual(hosts.map(() => 2));
    for (const h of hosts) expect(h.host.getHPInfo().map((p) => p.sha256)).toEqual([sha256]);

    const transitions = (await readAudit(engine, build)).filter((r): r is TransitionRecord => r.kind === "transition");
    expect(transitions.map((t) => [t.gen, t.from, t.to, t.step])).toEqual([[1, null, "pending", 0], [2, "pending", "canary", 0], [3, "canary", "waves", 1], [4, "waves", "done", 1]]);
  });
});
