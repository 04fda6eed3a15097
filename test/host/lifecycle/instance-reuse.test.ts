// Reusing the instance of a released patch: only for modules that keep no state of their own, only
// with the same import values, and never visibly: fresh state, hooks and events on every load.

import { describe, expect, test } from "vitest";
import { makeHost } from "../../helpers/base.js";
import { fnPatch, wat } from "../../helpers/wat.js";
import { InstanceReuse, reusableImports } from "../../../host/lifecycle/instance-reuse.js";
import { readModule } from "../../../host/wasm/wasm-reader.js";
import type { Host } from "../../../host/core/host.js";

const replaceVersion = { version: "main.version" };
const instanceOf = (host: Host, id: string) =>
  (host as unknown as { state: { patches: Map<string, { instance: WebAssembly.Instance }> } }).state.patches.get(id)!.instance;

describe("a patch loaded again", () => {
  test("keeps no state of its own: its instance is reused, old -> new -> old -> new", async () => {
    const { host, x } = await makeHost();
    const bytes = fnPatch("version", "(result i32)", "(i32.const 2)");
    const first = await host.loadHP({ hp_bytes: bytes, replace_config: replaceVersion });
    const instance = instanceOf(host, first);
    expect(x.version()).toBe(2);
    await host.unloadHP(first);
    expect(x.version()).toBe(1);
    const again = await host.loadHP({ hp_bytes: bytes, replace_config: replaceVersion });
    expect(again).toBe(first);
    expect(instanceOf(host, again)).toBe(instance);
    expect(x.version()).toBe(2);
    await host.unloadHP(again);
    expect(x.version()).toBe(1);
  });

  test("with a mutable global of its own: every load starts from its initial value", async () => {
    const { host, x } = await makeHost();
    const counting = wat(`(module (global $n (mut i32) (i32.const 100))
      (func (export "version") (result i32) (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n)))`);
    const id = await host.loadHP({ hp_bytes: counting, replace_config: replaceVersion });
    const instance = instanceOf(host, id);
    expect([x.version(), x.version(), x.version()]).toEqual([101, 102, 103]);
    await host.unloadHP(id);
    await host.loadHP({ hp_bytes: counting, replace_config: replaceVersion });
    expect(instanceOf(host, id)).not.toBe(instance);
    expect([x.version(), x.version()]).toEqual([101, 102]);
  });

  test("a reused instance runs its hooks and emits the same events on every load", async () => {
    const { host, x, logs, events } = await makeHost();
    const hooked = wat(`(module (import "env" "log" (func $log (param i32)))
      (func (export "version") (result i32) (i32.const 9))
      (func (export "HPBeforeLoad") (result i32) (call $log (i32.const 1)) (i32.const 0))
      (func (export "HPAfterUnload") (result i32) (call $log (i32.const 4)) (i32.const 0)))`);
    for (let i = 0; i < 3; i++) {
      const id = await host.loadHP({ hp_bytes: hooked, replace_config: replaceVersion });
      expect(x.version()).toBe(9);
      await host.unloadHP(id);
      expect(x.version()).toBe(1);
    }
    expect(logs).toEqual([1, 4, 1, 4, 1, 4]);
    const round = ["load-begin", "hook:HPBeforeLoad", "commit", "loaded", "unload-begin", "revert", "hook:HPAfterUnload", "unloaded", "released"];
    expect(events.map((e) => e.type === "hook" ? `hook:${e.hook}` : e.type)).toEqual([...round, ...round, ...round]);
  });
});

describe("reusableImports", () => {
  const stateful: [string, string][] = [
    ["a start function", `(func $s) (start $s)`],
    ["an active data segment", `(import "env" "memory" (memory 1)) (data (i32.const 64) "x")`],
    ["a passive data segment (data.drop changes it)", `(data "x")`],
    ["an active element segment", `(import "env" "table" (table 1 funcref)) (func $f) (elem (i32.const 0) $f)`],
    ["a table of its own", `(table 1 funcref)`],
    ["a memory of its own", `(memory 1)`],
    ["a tag of its own", `(tag $t)`],
    ["a mutable global of its own", `(global (mut i32) (i32.const 0))`],
  ];
  test.each(stateful)("refuses a module with %s", (_, fields) => {
    const bytes = wat(`(module ${fields} (func (export "f")))`);
    expect(reusableImports(readModule(bytes), {})).toBeNull();
  });

  test("accepts imports, immutable globals and declared function references; lists the import values in order", () => {
    const bytes = wat(`(module (import "env" "g" (global $g (mut i32))) (import "env" "log" (func $log (param i32)))
      (global i32 (i32.const 5)) (func $f) (elem declare func $f)
      (func (export "f") (result funcref) (ref.func $f)))`);
    const g = new WebAssembly.Global({ value: "i32", mutable: true }, 0);
    const log = () => {};
    const info = readModule(bytes);
    const values = { g, log } as Record<string, WebAssembly.ImportValue>;
    expect(reusableImports(info, { env: values })).toEqual(info.imports.map((i) => values[i.name]));
    expect(info.imports.map((i) => i.name).sort()).toEqual(["g", "log"]);
  });
});

describe("InstanceReuse", () => {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wat(`(module (func (export "f")))`) as BufferSource));
  const a = () => {};
  const b = () => {};

  test("gives an instance back once, and only for the same digest and the same import values", () => {
    const reuse = new InstanceReuse();
    reuse.offer("d1", instance, [a]);
    expect(reuse.take("d2", [a])).toBeNull();
    expect(reuse.take("d1", [a])).toBe(instance);
    expect(reuse.take("d1", [a])).toBeNull();
    reuse.offer("d1", instance, [a]);
    expect(reuse.take("d1", [b])).toBeNull();
    reuse.offer("d1", instance, [a]);
    expect(reuse.take("d1", [a, b])).toBeNull();
  });

  test("keeps at most `limit` instances, dropping the oldest offer", () => {
    const reuse = new InstanceReuse(2);
    for (const d of ["d1", "d2", "d3"]) reuse.offer(d, instance, []);
    expect(reuse.take("d1", [])).toBeNull();
    expect(reuse.take("d2", [])).toBe(instance);
    expect(reuse.take("d3", [])).toBe(instance);
  });
});
