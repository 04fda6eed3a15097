// A patch whose code does not return during a load or an unload (a hook, its initialisation, its
// migration) does not hang the host: under Node's watchdog (createPatchWatchdog, V8's
// TerminateExecution through node:vm) the step is interrupted within its bound, the operation is
// refused with E_PATCH_TIMEOUT and rolled back, and the host takes the next operation (issue 14,
// attack 9). A single Host and a HostPool (whose workers run hooks under the same watchdog).

import { afterEach, beforeAll, expect, test } from "vitest";
import { Host } from "../../../host/core/host.js";
import type { HotwasmError } from "../../../host/errors.js";
import type { HostEvent } from "../../../host/model/events.js";
import { createPatchWatchdog } from "../../../host/pool/patch-watchdog.js";
import type { HostPool } from "../../../host/pool/host-pool.js";
import { baseBinary } from "../../helpers/base.js";
import { makePool, versionPatch } from "../../helpers/pool.js";
import { stamp, wat } from "../../helpers/wat.js";

let base: Uint8Array;
let pool: HostPool | null = null;
beforeAll(async () => { base = await baseBinary(); });
afterEach(async () => { await pool?.close(); pool = null; });

const spin = `(loop $l (br $l))`;
/** A version patch with `hooks` (WAT functions). */
const patchWith = (n: number, hooks: string) => wat(`(module (import "env" "log" (func $log (param i32)))
  (func (export "version") (result i32) (i32.const ${n})) ${hooks})`);
const rv = { version: "main.version" };

async function watchedHost(ms = 300) {
  const events: HostEvent[] = [];
  const logs: number[] = [];
  const host = await Host.instantiate(base, { env: { log: (v: number) => logs.push(v), callback: () => {} } }, { runPatchCode: createPatchWatchdog(ms) });
  host.on((e) => events.push(e));
  return { host, x: host.exports, events, logs };
}
const refusal = (p: Promise<unknown>) => p.then(() => null, (e: HotwasmError) => e);

test("HPBeforeLoad that never returns (a Wasm loop, or a loop through an import): E_PATCH_TIMEOUT, nothing switched, the host goes on", async () => {
  const { host, x, events, logs } = await watchedHost();
  for (const hook of [`(func (export "HPBeforeLoad") (result i32) ${spin} (i32.const 0))`, `(func (export "HPBeforeLoad") (loop $l (call $log (i32.const 7)) (br $l)))`]) {
    events.length = 0;
    const err = await refusal(host.loadHP({ hp_bytes: patchWith(2, hook), replace_config: rv }));
    expect([err?.code, err?.message]).toEqual(["E_PATCH_TIMEOUT", "HPBeforeLoad did not return within 300 ms; it was interrupted; the load was abandoned"]);
    expect(events.map((e) => e.type)).toEqual(["load-begin", "hook", "refused"]);
    expect([x.version(), host.getHPInfo()]).toEqual([1, []]);
  }
  expect(logs.length).toBeGreaterThan(0);
  const id = await host.loadHP({ hp_bytes: patchWith(3, ""), replace_config: rv });
  expect(x.version()).toBe(3);
  await host.unloadHP(id);
});

test("a migration (hotwasm:migrate) that never returns: E_PATCH_TIMEOUT, nothing switched, the host goes on", async () => {
  const { host, x, events } = await watchedHost();
  const err = await refusal(host.loadHP({ hp_bytes: patchWith(2, `(func (export "hotwasm:migrate") ${spin})`), replace_config: rv }));
  expect([err?.code, err?.message]).toEqual(["E_PATCH_TIMEOUT", "hotwasm:migrate did not return within 300 ms; it was interrupted; the load was abandoned"]);
  expect(events.map((e) => e.type === "hook" ? `hook ${e.hook} ${e.ok}` : e.type)).toEqual(["load-begin", "hook hotwasm:migrate false", "refused"]);
  expect([x.version(), host.getHPInfo()]).toEqual([1, []]);
  const id = await host.loadHP({ hp_bytes: patchWith(3, `(func (export "hotwasm:migrate"))`), replace_config: rv });
  expect(x.version()).toBe(3);
  await host.unloadHP(id);
});

test("HPAfterLoad that never returns: rolled back (E_PATCH_TIMEOUT); HPBeforeUnload: the patch stays; HPAfterUnload: unloaded with a warning", async () => {
  const { host, x } = await watchedHost();
  const after = await refusal(host.loadHP({ hp_bytes: patchWith(2, `(func (export "HPAfterLoad") ${spin})`), replace_config: rv }));
  expect([after?.code, after?.message]).toEqual(["E_PATCH_TIMEOUT", "HPAfterLoad did not return within 300 ms; it was interrupted; the load was rolled back"]);
  expect([x.version(), host.getHPInfo().filter((p) => p.state === "loaded")]).toEqual([1, []]);

  const stays = await host.loadHP({ hp_bytes: patchWith(4, `(func (export "HPBeforeUnload") (result i32) ${spin} (i32.const 0))`), replace_config: rv });
  const before = await refusal(host.unloadHP(stays));
  expect([before?.code, before?.message]).toEqual(["E_PATCH_TIMEOUT", "HPBeforeUnload did not return within 300 ms; it was interrupted; the patch stays loaded"]);
  expect([x.version(), host.getHPInfo().map((p) => p.hp_id)]).toEqual([4, [stays]]);

  const goes = await host.loadHP({ hp_bytes: patchWith(5, `(func (export "HPAfterUnload") ${spin})`), replace_config: { version: "version" } });
  expect((await host.unloadHP(goes)).warnings).toEqual(["HPAfterUnload failed (HPAfterUnload did not return within 300 ms; it was interrupted); the patch is unloaded"]);
  expect(x.version()).toBe(4);
});

test("a placed patch whose initialisation (hotwasm:init) never returns: E_PATCH_TIMEOUT, its slots and arena range free again", async () => {
  const { host, x } = await watchedHost();
  const placed = (init: string) => stamp(wat(`(module (import "env" "memory" (memory 1)) (import "hotwasm:link" "memory_base" (global $mb i32))
    (data (global.get $mb) "0123456789abcdef") (func (export "version") (result i32) (i32.const 6)) (func (export "hotwasm:init") ${init}))`),
  { replace_config: rv, link: { data_size: 16, memory_relocs: [], table_relocs: [], table_size: 0, rtti_offset: null, classes: [], base_classes: host.manifest.classes.length } });
  const err = await refusal(host.loadHP({ hp_bytes: placed(spin) }));
  expect([err?.code, err?.message]).toEqual(["E_PATCH_TIMEOUT", "the patch's initialisation (hotwasm:init) did not return within 300 ms; it was interrupted"]);
  expect(x.version()).toBe(1);
  const id = await host.loadHP({ hp_bytes: placed("") });
  expect(x.version()).toBe(6);
  const start = Math.ceil(host.manifest.arena.start / 16) * 16;
  expect(host.getHPInfo()[0]!.data).toEqual([{ start, end: start + 16 }]); // the first fit: the interrupted load's range was freed
  await host.unloadHP(id);
});

test("a pool: a hook spinning in every worker is interrupted in each (E_PATCH_TIMEOUT), no worker switched or replaced, info true, later loads work", async () => {
  const made = await makePool(2, { patchTimeoutMs: 500, safepointTimeoutMs: 60_000 });
  pool = made.pool;
  const events: HostEvent[] = [];
  pool.on((e) => events.push(e));
  const err = await refusal(pool.loadHP({ hp_bytes: versionPatch(2, `(func (export "HPBeforeLoad") (result i32) ${spin} (i32.const 0))`), replace_config: { version: "version" } }));
  expect([err?.code, err?.message]).toEqual(["E_PATCH_TIMEOUT", expect.stringMatching(/^worker 0: HPBeforeLoad did not return within 500 ms; it was interrupted; the load was abandoned \(and 1 more: worker 1 E_PATCH_TIMEOUT\)$/)]);
  expect(pool.getHPInfo()).toEqual([]);
  expect(await Promise.all([0, 1].map((w) => pool!.callOn(w, "callVersion")))).toEqual([1, 1]);
  const after = await refusal(pool.loadHP({ hp_bytes: versionPatch(3, `(func (export "HPAfterLoad") ${spin})`), replace_config: { version: "version" } }));
  expect(after?.code).toBe("E_PATCH_TIMEOUT");
  expect(await Promise.all([0, 1].map((w) => pool!.callOn(w, "callVersion")))).toEqual([1, 1]);
  expect(pool.getHPInfo().filter((p) => p.state === "loaded")).toEqual([]);
  await pool.loadHP({ hp_bytes: versionPatch(4), replace_config: { version: "version" } });
  expect(await Promise.all([0, 1].map((w) => pool!.callOn(w, "callVersion")))).toEqual([4, 4]);
  expect(events.filter((e) => e.type === "worker-replaced")).toEqual([]);
});
