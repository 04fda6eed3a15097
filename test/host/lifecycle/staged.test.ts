// Two-phase operations on one Host (what a pool's workers do): nothing switches before commit,
// discard leaves no trace, the host takes no other operation meanwhile, rollback after commit.

import { expect, test } from "vitest";
import { makeHost } from "../../helpers/base.js";
import { fnPatch, wat } from "../../helpers/wat.js";

const version = (n: number, extra = "") => wat(`(module ${extra} (func (export "version") (result i32) (i32.const ${n})))`);
const replace_config = { version: "main.version" };

test("stageLoad switches nothing until commit; the events are those of loadHP", async () => {
  const { host, x, events } = await makeHost();
  const staged = host.stageLoad({ bytes: version(2), config: { hp_file: "label.wasm", replace_config } });
  expect(x.version()).toBe(1);
  expect(host.getHPInfo()).toEqual([]);
  expect(staged.commit()).toBe(staged.hp_id);
  expect(x.version()).toBe(2);
  expect(host.getHPInfo().map((p) => [p.hp_id, p.config.hp_file])).toEqual([[staged.hp_id, "label.wasm"]]);
  expect(events.map((e) => e.type)).toEqual(["load-begin", "commit", "loaded"]);
});

test("discard leaves no trace; a veto or a misfit throws at once with the Host's codes", async () => {
  const { host, x } = await makeHost();
  const staged = host.stageLoad({ bytes: version(2), config: { replace_config } });
  staged.discard();
  expect(x.version()).toBe(1);
  expect(host.getHPInfo()).toEqual([]);
  expect(() => staged.commit()).toThrow(expect.objectContaining({ code: "E_INTERNAL" }));
  const veto = version(3, `(func (export "HPBeforeLoad") (result i32) (i32.const 7))`);
  expect(() => host.stageLoad({ bytes: veto, config: { replace_config } })).toThrow(expect.objectContaining({ code: "E_HOOK_VETO" }));
  const misfit = fnPatch("version", "(param i32) (result i32)", "(local.get 0)");
  expect(() => host.stageLoad({ bytes: misfit, config: { replace_config } })).toThrow(expect.objectContaining({ code: "E_SIGNATURE_MISMATCH" }));
  expect(await host.loadHP({ hp_bytes: version(4), replace_config })).toMatch(/^[0-9a-f]{64}$/); // nothing left held
  expect(x.version()).toBe(4);
});

test("while staged, synchronous operations are busy and asynchronous ones wait for it", async () => {
  const { host, x } = await makeHost();
  const staged = host.stageLoad({ bytes: version(2), config: { replace_config } });
  expect(() => host.loadHPSync({ hp_bytes: version(3), replace_config })).toThrow(expect.objectContaining({ code: "E_BUSY" }));
  const order: string[] = [];
  const later = host.loadHP({ hp_bytes: version(3), replace_config }).then(() => order.push("loadHP"));
  await new Promise((r) => setTimeout(r, 20));
  order.push("commit");
  staged.commit();
  await later;
  expect(order).toEqual(["commit", "loadHP"]);
  expect(x.version()).toBe(3);
});

test("rollback takes a committed load out without hooks; stageUnload lets HPBeforeUnload veto first", async () => {
  const { host, x, events } = await makeHost();
  const staged = host.stageLoad({ bytes: version(2, `(func (export "HPAfterUnload"))`), config: { replace_config } });
  staged.commit();
  staged.rollback("another worker failed");
  expect(x.version()).toBe(1);
  expect(host.getHPInfo()).toEqual([]);
  expect(events.filter((e) => e.type === "rollback" || e.type === "hook").map((e) => e.type)).toEqual(["rollback"]);
  const id = await host.loadHP({ hp_bytes: version(5, `(func (export "HPBeforeUnload") (result i32) (i32.const 1))`), replace_config });
  expect(() => host.stageUnload(id)).toThrow(expect.objectContaining({ code: "E_HOOK_VETO" }));
  const id2 = await host.loadHP({ hp_bytes: version(6), replace_config });
  const unload = host.stageUnload(id2);
  expect(x.version()).toBe(6);
  expect(unload.commit()).toEqual({ hp_id: id2, warnings: [] });
  expect(x.version()).toBe(5);
});
