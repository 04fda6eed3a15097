// The controller's state machine on its own (no engine): admission is an exact share in a fixed
// order, each phase's transitions and their conditions, leases, and what each host should run.

import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { admitHosts, decideNext, desiredFor, rankOf, type Decision, type HostStatus, type PatchItem, type RolloutSpec, type RolloutState, type Snapshot } from "../../../host/fleet/index.js";

const build = "0123456789abcdef0123456789abcdef";
const A: PatchItem = { sha256: "a".repeat(64) };
const B: PatchItem = { sha256: "b".repeat(64) };
const me = { id: "me", leaseMs: 10_000 };
const hosts = Array.from({ length: 10 }, (_, i) => `h${i}`);

function spec(over: Partial<RolloutSpec> = {}): RolloutSpec {
  return { v: 1, build_id: build, rollout_id: "r1", patch: B, steps: [{ pct: 20, hold_ms: 1000 }, { pct: 100, hold_ms: 0 }], max_traps: 0, step_deadline_ms: 60_000, created_at: "", ...over };
}

function state(over: Partial<RolloutState> = {}): RolloutState {
  return {
    v: 1, build_id: build, rollout_id: "r1", gen: 2, phase: "canary", from: "pending", step: 0, steps: spec().steps, max_traps: 0, step_deadline_ms: 60_000,
    baseline: [A], target: [A, B], admitted: admitHosts("r1", hosts, [], 20), phase_since: 0, converged_at: null, reason: null, failures: [],
    lease: { holder: "me", until: 1e12 }, updated_at: 0, ...over,
  };
}

function status(host: string, s: RolloutState, over: Partial<HostStatus> = {}): HostStatus {
  const applied = desiredFor(s, host).map((p) => p.sha256);
  return { v: 1, host_id: host, build_id: build, rollout_id: s.rollout_id, gen: s.gen, result: "ack", applied, traps: 0, at: 0, ...over };
}

function snap(s: RolloutState | null, statuses: HostStatus[] = [], over: Partial<Snapshot> = {}): Snapshot {
  return { spec: spec(), state: s, live: hosts, statuses: new Map(statuses.map((x) => [x.host_id, x])), ...over };
}

function written(d: Decision): RolloutState {
  if (d.kind !== "write") throw new Error(`expected a write, got: ${d.why}`);
  return d.next;
}

const allAck = (s: RolloutState, over: Partial<HostStatus> = {}) => hosts.map((h) => status(h, s, over));

describe("admission", () => {
  test("exactly ceil(pct × live) live hosts, in the rollout's hash order, whatever order they are listed in; admitted hosts stay", () => {
    fc.assert(fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,8}$/), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 }), (live, p1, p2) => {
      const [lo, hi] = p1 <= p2 ? [p1, p2] : [p2, p1];
      const first = admitHosts("rid", live, [], lo);
      expect(first).toHaveLength(Math.ceil((lo * live.length) / 100));
      expect(first).toEqual([...live].sort((a, b) => (rankOf("rid", a) < rankOf("rid", b) ? -1 : 1)).slice(0, first.length));
      expect(admitHosts("rid", [...live].reverse(), [], lo)).toEqual(first);
      const second = admitHosts("rid", live, first, hi);
      expect(second.slice(0, first.length)).toEqual(first);
      expect(second).toHaveLength(Math.ceil((hi * live.length) / 100));
    }));
  });

  test("each phase's wanted set: the target for admitted hosts in a step and for everyone when done, else the baseline", () => {
    const s = state();
    const [inside] = s.admitted;
    const outside = hosts.find((h) => !s.admitted.includes(h))!;
    expect([desiredFor(s, inside!), desiredFor(s, outside)]).toEqual([[A, B], [A]]);
    expect(desiredFor({ ...s, phase: "done" }, outside)).toEqual([A, B]);
    for (const phase of ["pending", "rolling_back", "rolled_back"] as const) expect(desiredFor({ ...s, phase }, inside!)).toEqual([A]);
  });
});

describe("transitions", () => {
  test("a new spec starts pending from the fleet's settled set; pending admits the canary; a generation per transition", () => {
    const done: RolloutState = { ...state({ rollout_id: "r0", phase: "done", gen: 7, baseline: [], target: [A], lease: null }) };
    const pending = written(decideNext(snap(done), 100, me));
    expect(pending).toMatchObject({ rollout_id: "r1", gen: 8, phase: "pending", from: "done", baseline: [A], target: [A, B], admitted: [], lease: { holder: "me", until: 10_100 } });
    const canary = written(decideNext(snap(pending), 200, me));
    expect(canary).toMatchObject({ gen: 9, phase: "canary", from: "pending", step: 0, phase_since: 200 });
    expect(canary.admitted).toEqual(admitHosts("r1", hosts, [], 20));
    expect(decideNext(snap(state({ rollout_id: "r0" })), 0, me)).toEqual({ kind: "wait", why: "rollout r0 is still canary; r1 waits" });
  });

  test("a step advances once every admitted live host acked its generation, then after the hold, with no new trap", () => {
    const s = state();
    const partial = snap(s, s.admitted.slice(1).map((h) => status(h, s)));
    expect(decideNext(partial, 1000, me)).toEqual({ kind: "wait", why: "rollout r1 is canary" });
    const oldGen = allAck({ ...s, gen: 1 });
    expect(decideNext(snap(s, oldGen), 1000, me).kind).toBe("wait");
    const acked = written(decideNext(snap(s, allAck(s)), 1000, me));
    expect([acked.gen, acked.converged_at]).toEqual([2, 1000]);
    expect(decideNext(snap(acked, allAck(acked)), 1999, me).kind).toBe("wait");
    const trapped = allAck(acked, { traps: 0, last_trap_at: 1500 });
    expect(decideNext(snap({ ...acked, max_traps: 5 }, trapped.map((x) => ({ ...x, traps: 1 }))), 2100, me).kind).toBe("wait");
    const waves = written(decideNext(snap(acked, allAck(acked)), 2000, me));
    expect([waves.gen, waves.phase, waves.step, waves.admitted.length]).toEqual([3, "waves", 1, 10]);
    const held = written(decideNext(snap(waves, allAck(waves)), 2100, me));
    const done = written(decideNext(snap(held, allAck(held)), 2100, me));
    expect([done.gen, done.phase, done.lease]).toEqual([4, "done", null]);
  });

  test("a manual hold waits for the operator's promotion of that step", () => {
    const s = state({ steps: [{ pct: 20, hold_ms: null }, { pct: 100, hold_ms: 0 }], converged_at: 5 });
    expect(decideNext(snap(s, allAck(s)), 1e9, me).kind).toBe("wait");
    expect(written(decideNext(snap(s, allAck(s), { spec: spec({ promote: 0 }) }), 10, me)).phase).toBe("waves");
  });

  test("the first nack or trap result of an admitted host, traps past the limit, or the step deadline roll the fleet back", () => {
    const s = state();
    const [first] = s.admitted;
    const nack = written(decideNext(snap(s, [status(first!, s, { result: "nack", code: "E_BUILD_MISMATCH", message: "other build" })]), 10, me));
    expect(nack).toMatchObject({ gen: 3, phase: "rolling_back", from: "canary", admitted: [], reason: `${first} refused the patch: E_BUILD_MISMATCH: other build`, failures: [{ host_id: first, result: "nack", code: "E_BUILD_MISMATCH" }] });
    const outsider = hosts.find((h) => !s.admitted.includes(h))!;
    expect(decideNext(snap(s, [status(outsider, s, { result: "nack", code: "E_X" })]), 10, me).kind).toBe("wait");
    expect(written(decideNext(snap(s, [status(first!, s, { result: "trap", message: "3 traps" })]), 10, me)).reason).toBe(`trap containment rolled the patch back on ${first}: 3 traps`);
    expect(written(decideNext(snap(s, [status(first!, s, { traps: 1 })]), 10, me)).reason).toBe("1 traps of the new patch over the fleet (limit 0)");
    expect(decideNext(snap(s), 60_000, me).kind).toBe("wait");
    expect(written(decideNext(snap(s), 60_001, me)).reason).toMatch(/^step 1 \(20 %\): h\d, h\d did not ack within 60000 ms$/);
  });

  test("a rollback ends when every live host confirmed the baseline, or at its deadline with the hosts that did not", () => {
    const back = state({ phase: "rolling_back", gen: 3, admitted: [], phase_since: 0 });
    expect(decideNext(snap(back, allAck(back).slice(1)), 10, me).kind).toBe("wait");
    expect(written(decideNext(snap(back, allAck(back)), 10, me))).toMatchObject({ phase: "rolled_back", gen: 4, lease: null });
    expect(written(decideNext(snap(back, allAck(back).slice(1)), 60_001, me))).toMatchObject({ phase: "rolled_back", unconfirmed: ["h0"] });
  });

  test("leases: another controller's live lease keeps this one passive; an expired one is taken over; an operator's rollback reaches a done rollout", () => {
    const s = state({ lease: { holder: "other", until: 5000 } });
    expect(decideNext(snap(s), 4999, me)).toEqual({ kind: "wait", why: "controller other holds the lease" });
    expect(written(decideNext(snap(s), 5001, me))).toMatchObject({ gen: 2, lease: { holder: "me", until: 15_001 } });
    const done = state({ phase: "done", lease: null });
    expect(decideNext(snap(done), 0, me).kind).toBe("wait");
    const abort = spec({ abort: { at: "", reason: "bad" } });
    expect(written(decideNext(snap(done, [], { spec: abort }), 0, me))).toMatchObject({ phase: "rolling_back", from: "done", reason: "rolled back by the operator: bad" });
  });

  test("an admitted host that leaves is replaced, so that the share stays exact; the hold starts again", () => {
    const s = state({ converged_at: 5 });
    const live = hosts.filter((h) => h !== s.admitted[0]);
    const next = written(decideNext(snap(s, [], { live }), 10, me));
    expect([next.gen, next.converged_at]).toEqual([2, null]);
    expect(next.admitted).toEqual(admitHosts("r1", live, s.admitted, 20));
    expect(next.admitted.filter((h) => live.includes(h))).toHaveLength(2);
  });
});
