// Trap containment: a patch loaded with a policy is rolled back when its code fails more than
// max_traps times within window_ms; failures are attributed to the innermost patch frame only.

import { describe, expect, test } from "vitest";
import { makeHost, baseBinary } from "../../helpers/base.js";
import { wat } from "../../helpers/wat.js";
import { Host } from "../../../host/core/host.js";
import type { HostEvent } from "../../../host/model/events.js";

/** add(a, b): traps when a < 0, else a + b + 100. */
const trappingAdd = wat(`(module (func (export "add") (param i32 i32) (result i32)
  (if (i32.lt_s (local.get 0) (i32.const 0)) (then (unreachable)))
  (i32.add (i32.add (local.get 0) (local.get 1)) (i32.const 100))))`);
const policy = { max_traps: 2, window_ms: 60_000 };
const names = (events: HostEvent[], from = 0) => events.slice(from).map((e) => (e.type === "trap" ? `trap:${e.count}` : e.type));

describe("trap containment", () => {
  test("more than max_traps failures roll the patch back: events, getHPInfo, old behaviour", async () => {
    const { host, x, events } = await makeHost();
    const id = await host.loadHP({ hp_bytes: trappingAdd, replace_config: { add: "add" }, policy });
    expect(x.add(1, 2)).toBe(103);
    const mark = events.length;
    for (let i = 0; i < 2; i++) expect(() => x.add(-1, 0)).toThrow(WebAssembly.RuntimeError);
    expect(host.getHPInfo()).toEqual([expect.objectContaining({ hp_id: id, state: "loaded", policy, traps: 2 })]);
    expect(x.add(1, 2)).toBe(103);
    expect(() => x.add(-1, 0)).toThrow(WebAssembly.RuntimeError); // the third: over the limit
    expect(names(events, mark)).toEqual(["trap:1", "trap:2", "trap:3", "rollback", "revert", "unloaded", "released"]);
    const rollback = events.find((e) => e.type === "rollback")!;
    expect(rollback).toEqual(expect.objectContaining({ hp_id: id, reason: "its code failed 3 times within 60000 ms (policy: at most 2)" }));
    expect(x.add(-1, 0)).toBe(-1);
    expect(x.add(1, 2)).toBe(3);
    const [info] = host.getHPInfo();
    expect(info).toEqual(expect.objectContaining({ hp_id: id, state: "rolled_back", traps: 3, rolled_back: { reason: rollback.type === "rollback" ? rollback.reason : "", at: expect.any(String) } }));
    // Loading it again is a fresh start; it leaves the rolled-back list.
    await host.loadHP({ hp_bytes: trappingAdd, replace_config: { add: "add" }, policy });
    expect(host.getHPInfo().map((p) => [p.hp_id, p.state, p.traps])).toEqual([[id, "loaded", 0]]);
  });

  test("without a policy failures are not counted and nothing is rolled back", async () => {
    const { host, x, events } = await makeHost();
    await host.loadHP({ hp_bytes: trappingAdd, replace_config: { add: "add" } });
    for (let i = 0; i < 5; i++) expect(() => x.add(-1, 0)).toThrow(WebAssembly.RuntimeError);
    expect(events.filter((e) => e.type === "trap" || e.type === "rollback")).toEqual([]);
    expect(x.add(1, 2)).toBe(103);
  });

  test("the innermost patch frame is blamed: a trap in another patch or in base code is not this patch's", async () => {
    const { host, x, events } = await makeHost();
    // P (with a policy) replaces add and calls useSmall -> small; Q (no policy) replaces small and traps on 0.
    const p = wat(`(module (import "ref" "useSmall" (func $u (param i32) (result i32)))
      (func (export "add") (param i32 i32) (result i32) (call $u (local.get 0))))`);
    const q = wat(`(module (func (export "small") (param i32) (result i32)
      (if (i32.eqz (local.get 0)) (then (unreachable))) (i32.add (local.get 0) (i32.const 1))))`);
    const guard = (host as unknown as { state: { guard: { active: boolean } } }).state.guard;
    const qid = await host.loadHP({ hp_bytes: q, replace_config: { small: "small" } });
    expect(guard.active).toBe(false); // no policy loaded: no trampolines, no cost
    // Loading P puts Q (already in force) behind a trampoline too, so Q's traps are Q's.
    const pid = await host.loadHP({ hp_bytes: p, replace_config: { add: "add" }, policy: { max_traps: 0, window_ms: 60_000 } });
    expect(guard.active).toBe(true);
    expect(x.add(3, 0)).toBe(8);
    expect(() => x.add(0, 0)).toThrow(WebAssembly.RuntimeError); // trapped in Q, under P
    expect(() => x.fib(1e6)).toThrow(RangeError); // base code's own stack overflow, no patch on the stack
    expect(events.filter((e) => e.type === "trap")).toEqual([]);
    expect(host.patchStack("add")).toEqual([pid]);
    await host.unloadHP(pid);
    expect(guard.active).toBe(false); // the last policy left: Q runs without a trampoline again
    expect(() => x.useSmall(0)).toThrow(WebAssembly.RuntimeError);
    expect(x.useSmall(3)).toBe(8);
    expect(host.patchStack("small")).toEqual([qid]);
  });

  test("a failure under the patch in a base function it called is the patch's; a re-entrant failure counts once", async () => {
    let reenter = false;
    const { host, x, events } = await makeHost((h) => { if (reenter) h.exports.add(-1, 0); });
    const caller = wat(`(module (import "ref" "versionAroundCallback" (func $v (result i32)))
      (func (export "version") (result i32) (i32.const 7))
      (func (export "add") (param i32 i32) (result i32) (if (i32.lt_s (local.get 0) (i32.const 0)) (then (unreachable))) (call $v)))`);
    const id = await host.loadHP({ hp_bytes: caller, replace_config: { add: "add", version: "version" }, policy: { max_traps: 5, window_ms: 60_000 } });
    expect(x.add(0, 0)).toBe(77);
    reenter = true;
    // add -> versionAroundCallback (base) -> callback (JS) -> add(-1) traps; the error unwinds through both calls.
    expect(() => x.add(0, 0)).toThrow(WebAssembly.RuntimeError);
    expect(events.filter((e) => e.type === "trap")).toEqual([expect.objectContaining({ hp_id: id, count: 1 })]);
  });

  test("failures older than the window no longer count", async () => {
    let now = 1_000_000;
    const host = await Host.instantiate(await baseBinary(), { env: { log: () => {}, callback: () => {} } }, { now: () => now });
    const events: HostEvent[] = [];
    host.on((e) => events.push(e));
    await host.loadHP({ hp_bytes: trappingAdd, replace_config: { add: "add" }, policy: { max_traps: 1, window_ms: 1000 } });
    expect(() => host.exports.add(-1, 0)).toThrow();
    now += 1500;
    expect(() => host.exports.add(-1, 0)).toThrow();
    now += 999;
    expect(() => host.exports.add(-1, 0)).toThrow(); // two within 1000 ms: over the limit
    expect(names(events).filter((n) => n.startsWith("trap") || n === "rollback")).toEqual(["trap:1", "trap:1", "trap:2", "rollback"]);
    expect(host.exports.add(-1, 0)).toBe(-1);
  });

  test("a failure while another operation runs rolls back right after it", async () => {
    const { host, x, events } = await makeHost();
    const id = await host.loadHP({ hp_bytes: trappingAdd, replace_config: { add: "add" }, policy: { max_traps: 0, window_ms: 60_000 } });
    const pending = host.loadHP({ hp_bytes: wat(`(module (func (export "v") (result i32) (i32.const 5)))`), replace_config: { v: "version" } });
    expect(() => x.add(-1, 0)).toThrow();
    await pending;
    await host.releaseRetained(); // queued behind the rollback
    expect(host.patchStack("add")).toEqual([]);
    expect(events.filter((e) => e.type === "rollback").map((e) => e.hp_id)).toEqual([id]);
    expect(x.version()).toBe(5);
  });
});
