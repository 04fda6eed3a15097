// Automatic fleet-wide rollback on a real nats-server: a nack on one canary host (a signature its
// keys do not accept, or a tampered object) and a patch whose policy trips trap containment on one
// canary each roll the fleet back within 5 s; every transition is recorded once in the audit stream.

import { createPublicKey } from "node:crypto";
import { afterEach, describe, expect, test } from "vitest";
import { createPatchVerifier, generateSigningKeys, keyIdOf, signPatch } from "../../../host/node.js";
import { pushPatch, rankOf, readAudit, startRollout, type FleetEngine, type HostResultRecord, type RolloutState, type TransitionRecord } from "../../../host/fleet/index.js";
import { openEngine, readState, skipFleet, startController, startEngine, startHost, stopFleet, versionPatch, waitUntil, type FleetHost } from "../../helpers/fleet.js";
import { wat } from "../../helpers/wat.js";

afterEach(stopFleet);

/** Host names in the order a rollout admits them (the first `k` are its canary). */
function admissionOrder(rolloutId: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `h${String(i).padStart(2, "0")}`).sort((a, b) => (rankOf(rolloutId, a) < rankOf(rolloutId, b) ? -1 : 1));
}

function verifierFor(publicKeyPem: string) {
  const key = createPublicKey(publicKeyPem);
  return createPatchVerifier([{ keyId: keyIdOf(key), key, source: "test" }]);
}

/** Waits for the fleet to be rolled back; `ms` from the failing host's result (its audit record) to the rolled-back state. */
async function waitForRollback(engine: FleetEngine, build: string, failing: FleetHost, result: string): Promise<{ state: RolloutState; ms: number }> {
  await waitUntil(async () => (await readState(engine, build))?.phase === "rolled_back", "the fleet to be rolled back");
  const state = (await readState(engine, build))!;
  const record = (await readAudit(engine, build)).find((r): r is HostResultRecord => r.kind === "host" && r.host_id === failing.id && r.result === result);
  expect(record).toBeDefined();
  return { state, ms: state.updated_at - record!.at };
}

async function expectAuditOnce(engine: FleetEngine, build: string, failing: string, result: string): Promise<void> {
  const audit = await readAudit(engine, build);
  const transitions = audit.filter((r): r is TransitionRecord => r.kind === "transition");
  expect(transitions.map((t) => [t.gen, t.from, t.to])).toEqual([[1, null, "pending"], [2, "pending", "canary"], [3, "canary", "rolling_back"], [4, "rolling_back", "rolled_back"]]);
  const failures = audit.filter((r): r is HostResultRecord => r.kind === "host" && r.result === result);
  expect(failures.map((r) => [r.host_id, r.gen])).toEqual([[failing, 2]]);
}

describe.skipIf(skipFleet)("automatic rollback", () => {
  test("a canary host whose keys refuse the signature nacks: the fleet is rolled back within 5 s, nobody else ever loads it", async () => {
    const nats = await startEngine();
    await startController(nats.urls);
    const engine = await openEngine(nats.urls);
    const trusted = generateSigningKeys();
    const other = generateSigningKeys();
    const order = admissionOrder("sig-test", 20);
    const refusing = order[0]!;
    const hosts = await Promise.all(order.map((id) => startHost(nats.urls, id, {}, verifierFor(id === refusing ? other.publicKeyPem : trusted.publicKeyPem))));
    await Promise.all(hosts.map((h) => h.agent.whenJoined()));
    const build = hosts[0]!.host.manifest.buildId;
    const { sha256 } = await pushPatch(engine, signPatch(versionPatch(2), trusted.privateKeyPem, { replace_config: { version: "version" }, ref_config: {} }));
    await startRollout(engine, { build_id: build, rollout_id: "sig-test", patch: { sha256, replace_config: { version: "version" } }, steps: [{ pct: 10, hold_ms: null }, { pct: 100, hold_ms: 0 }] });

    const { state, ms } = await waitForRollback(engine, build, hosts[0]!, "nack");
    console.log(`fleet: rolled back ${ms.toFixed(0)} ms after the nack`);
    expect(ms).toBeLessThan(5000);
    expect(state.failures).toEqual([expect.objectContaining({ host_id: refusing, result: "nack", code: "E_BAD_PATCH_SIGNATURE" })]);
    expect(hosts[0]!.events.filter((e) => e.type === "refused").map((e) => e.type === "refused" && e.code)).toEqual(["E_BAD_PATCH_SIGNATURE"]);
    // The other canary loaded it and unloaded it again; the 18 others never began a load.
    const canary = hosts[1]!;
    await waitUntil(() => canary.host.getHPInfo().length === 0, "the other canary to unload");
    expect(canary.events.map((e) => e.type).filter((t) => t === "loaded" || t === "unloaded")).toEqual(["loaded", "unloaded"]);
    for (const h of hosts.slice(2)) expect(h.events.filter((e) => e.type === "load-begin")).toEqual([]);
    expect(hosts.map((h) => h.host.exports.version())).toEqual(hosts.map(() => 1));
    await expectAuditOnce(engine, build, refusing, "nack");
  });

  test("a tampered object (other bytes under the patch's name) is refused by the canaries: the fleet is rolled back", async () => {
    const nats = await startEngine();
    await startController(nats.urls);
    const engine = await openEngine(nats.urls);
    const order = admissionOrder("tamper-test", 10);
    const hosts = await Promise.all(order.map((id) => startHost(nats.urls, id)));
    await Promise.all(hosts.map((h) => h.agent.whenJoined()));
    const build = hosts[0]!.host.manifest.buildId;
    const { sha256 } = await pushPatch(engine, versionPatch(2));
    await engine.patches.putBlob({ name: sha256 }, versionPatch(666));
    await startRollout(engine, { build_id: build, rollout_id: "tamper-test", patch: { sha256, replace_config: { version: "version" } }, steps: [{ pct: 10, hold_ms: null }, { pct: 100, hold_ms: 0 }] });

    const { state, ms } = await waitForRollback(engine, build, hosts[0]!, "nack");
    expect(ms).toBeLessThan(5000);
    expect(state.failures).toEqual([expect.objectContaining({ host_id: order[0], code: "E_FLEET_DIGEST_MISMATCH" })]);
    for (const h of hosts) expect(h.events.filter((e) => e.type === "load-begin")).toEqual([]);
    expect(hosts.map((h) => h.host.exports.version())).toEqual(hosts.map(() => 1));
    await expectAuditOnce(engine, build, order[0]!, "nack");
  });

  test("a patch whose policy trips trap containment on one canary: the fleet is rolled back within 5 s and the host does not load it again", async () => {
    const nats = await startEngine();
    await startController(nats.urls);
    const engine = await openEngine(nats.urls);
    const order = admissionOrder("trap-test", 10);
    const hosts = await Promise.all(order.map((id) => startHost(nats.urls, id)));
    await Promise.all(hosts.map((h) => h.agent.whenJoined()));
    const build = hosts[0]!.host.manifest.buildId;
    const trapping = wat(`(module (func (export "add") (param i32 i32) (result i32)
      (if (i32.lt_s (local.get 0) (i32.const 0)) (then (unreachable))) (i32.add (i32.add (local.get 0) (local.get 1)) (i32.const 100))))`);
    const { sha256 } = await pushPatch(engine, trapping);
    await startRollout(engine, {
      build_id: build, rollout_id: "trap-test", steps: [{ pct: 20, hold_ms: null }, { pct: 100, hold_ms: 0 }],
      patch: { sha256, replace_config: { add: "add" }, policy: { max_traps: 0, window_ms: 60_000 } },
    });
    const [first, second] = hosts as [FleetHost, FleetHost];
    await waitUntil(() => first.host.exports.add(1, 2) === 103 && second.host.exports.add(1, 2) === 103, "both canaries to load the patch");
    expect(() => first.host.exports.add(-1, 0)).toThrow(WebAssembly.RuntimeError);

    const { state, ms } = await waitForRollback(engine, build, first, "trap");
    console.log(`fleet: rolled back ${ms.toFixed(0)} ms after trap containment on one canary`);
    expect(ms).toBeLessThan(5000);
    expect(state.failures).toEqual([expect.objectContaining({ host_id: first.id, result: "trap" })]);
    expect(state.reason).toMatch(/^trap containment rolled the patch back on /);
    await waitUntil(() => second.host.getHPInfo().every((p) => p.state !== "loaded"), "the other canary to unload");
    expect(hosts.map((h) => h.host.exports.add(1, 2))).toEqual(hosts.map(() => 3));
    expect(first.events.filter((e) => e.type === "load-begin")).toHaveLength(1);
    for (const h of hosts.slice(2)) expect(h.events.filter((e) => e.type === "load-begin")).toEqual([]);
    await expectAuditOnce(engine, build, first.id, "trap");
  });
});
