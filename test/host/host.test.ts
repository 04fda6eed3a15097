// Host behaviour a user sees: old -> new -> old, stacking, refs, hooks, events, identity, reachability.

import { describe, expect, test } from "vitest";
import { createHash } from "node:crypto";
import { mkdtemp, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeHost } from "../helpers/base.js";
import { fnPatch, wat } from "../helpers/wat.js";
import { HotwasmError } from "../../host/errors.js";

const version = (n: number) => fnPatch("version", "(result i32)", `(i32.const ${n})`);
const replaceVersion = { version: "main.version" };

describe("load and unload", () => {
  test("old -> new -> old for exports and internal callers", async () => {
    const { host, x } = await makeHost();
    expect(x.version()).toBe(1);
    const id = await host.loadHP({ hp_bytes: version(2), replace_config: replaceVersion });
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(x.version()).toBe(2);
    expect(x.versionAroundCallback()).toBe(22);
    await host.unloadHP(id);
    expect(x.version()).toBe(1);
    expect(x.versionAroundCallback()).toBe(11);
  });

  test("a function Binaryen inlined into its caller is still patched for that caller", async () => {
    const { host, x } = await makeHost();
    expect(x.useSmall(3)).toBe(8);
    const id = await host.loadHP({ hp_bytes: fnPatch("small", "(param i32) (result i32)", "(i32.mul (local.get 0) (i32.const 10))"), replace_config: { small: "small" } });
    expect(x.useSmall(3)).toBe(60);
    expect(x.viaRef(3)).toBe(30); // through a function reference (let f = small)
    await host.unloadHP(id);
    expect(x.useSmall(3)).toBe(8);
    expect(x.viaRef(3)).toBe(4);
  });

  test("recursive calls of a patched function go to the patch", async () => {
    const { host, x } = await makeHost();
    expect(x.fib(10)).toBe(55);
    const fibPatch = wat(`(module (import "ref" "fib" (func $fib (param i32) (result i32)))
      (func (export "fib2") (param i32) (result i32)
        (if (result i32) (i32.lt_s (local.get 0) (i32.const 2)) (then (i32.const 1))
          (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2))))))))`);
    const id = await host.loadHP({ hp_bytes: fibPatch, replace_config: { fib2: "fib" } });
    expect(x.fib(10)).toBe(89); // fib with fib(0) = 1: the base's own recursion reaches the patch
    await host.unloadHP(id);
    expect(x.fib(10)).toBe(55);
  });

  test("methods are patched for every caller", async () => {
    const { host, x } = await makeHost();
    expect(x.incCounter()).toBe(1);
    const id = await host.loadHP({
      hp_bytes: fnPatch("inc", "(param i32) (result i32)", "(i32.const -7)"),
      replace_config: { inc: "Counter#inc" },
    });
    expect(x.incCounter()).toBe(-7);
    await host.unloadHP(id);
    expect(x.incCounter()).toBe(2); // the object's state survived the patch
  });
});

describe("stacking", () => {
  test("the newest patch wins; unloading in any order leaves exactly the rest", async () => {
    const { host, x } = await makeHost();
    const a = await host.loadHP({ hp_bytes: version(2), replace_config: replaceVersion });
    const b = await host.loadHP({ hp_bytes: version(3), replace_config: replaceVersion });
    const c = await host.loadHP({ hp_bytes: version(4), replace_config: replaceVersion });
    expect(x.version()).toBe(4);
    expect(host.patchStack("version")).toEqual([a, b, c]);
    await host.unloadHP(b); // from the middle
    expect(x.version()).toBe(4);
    await host.unloadHP(c); // the top
    expect(x.version()).toBe(2);
    expect(host.getHPInfo().map((p) => p.hp_id)).toEqual([a]);
    await host.unloadHP(a);
    expect(x.version()).toBe(1);
    expect(host.getHPInfo()).toEqual([]);
  });

  test("getHPInfo says which replacement is in force", async () => {
    const { host } = await makeHost();
    const a = await host.loadHP({ hp_bytes: version(2), replace_config: replaceVersion });
    await host.loadHP({ hp_bytes: version(3), replace_config: replaceVersion });
    const info = host.getHPInfo();
    expect(info.map((p) => [p.order, p.replaces[0]!.in_force])).toEqual([[1, false], [2, true]]);
    expect(info[0]!.hp_id).toBe(a);
    expect(info[0]!.config).toEqual({ hp_file: "", replace_config: replaceVersion, ref_config: {} });
  });
});

describe("refs", () => {
  test("a global ref is the base's global: writes are shared", async () => {
    const { host, x } = await makeHost();
    const patch = wat(`(module (import "ref" "Counter" (global $c (mut i32)))
      (func (export "bump2") (result i32) (global.set $c (i32.add (global.get $c) (i32.const 100))) (global.get $c)))`);
    x.bump();
    const id = await host.loadHP({ hp_bytes: patch, replace_config: { bump2: "main.bump" }, ref_config: { Counter: "main.counter" } });
    expect(x.bump()).toBe(101);
    await host.unloadHP(id);
    expect(x.bump()).toBe(102);
    expect(x.counter.value).toBe(102);
  });

  test("a function ref follows later patches of that function", async () => {
    const { host, x } = await makeHost();
    const caller = wat(`(module (import "ref" "Version" (func $v (result i32)))
      (func (export "add2") (param i32 i32) (result i32) (i32.add (call $v) (i32.const 1000))))`);
    const p1 = await host.loadHP({ hp_bytes: caller, replace_config: { add2: "add" }, ref_config: { Version: "version" } });
    expect(x.add(0, 0)).toBe(1001);
    const p2 = await host.loadHP({ hp_bytes: version(5), replace_config: replaceVersion });
    expect(x.add(0, 0)).toBe(1005);
    await host.unloadHP(p2);
    expect(x.add(0, 0)).toBe(1001);
    await host.unloadHP(p1);
    expect(x.add(2, 3)).toBe(5);
  });

  test("a ref import named after the symbol needs no ref_config; i64 and f64 types work", async () => {
    const { host, x } = await makeHost();
    const patch = wat(`(module (import "ref" "hidden" (global $h (mut i64)))
      (func (export "getHidden") (result i64) (i64.add (global.get $h) (i64.const 1)))
      (func (export "scale") (param f64) (result f64) (f64.mul (local.get 0) (f64.const 3))))`);
    const id = await host.loadHP({ hp_bytes: patch, replace_config: { getHidden: "getHidden", scale: "scale" } });
    expect(x.getHidden()).toBe(6n);
    expect(x.scale(2)).toBe(6);
    await host.unloadHP(id);
    expect(x.getHidden()).toBe(5n);
    expect(x.scale(2)).toBe(4);
  });
});

describe("hooks", () => {
  const hooked = (hooks: Record<string, string>) =>
    wat(`(module (import "env" "log" (func $log (param i32)))
      (func (export "version") (result i32) (i32.const 9))
      ${Object.entries(hooks).map(([name, body]) => `(func (export "${name}") ${body})`).join("\n")})`);

  test("all four hooks run in order around the swap", async () => {
    const { host, x, logs, events } = await makeHost();
    const patch = hooked({
      HPBeforeLoad: "(result i32) (call $log (i32.const 1)) (i32.const 0)",
      HPAfterLoad: "(result i32) (call $log (i32.const 2)) (i32.const 0)",
      HPBeforeUnload: "(call $log (i32.const 3))",
      HPAfterUnload: "(result i32) (call $log (i32.const 4)) (i32.const 0)",
    });
    const id = await host.loadHP({ hp_bytes: patch, replace_config: replaceVersion });
    expect(x.version()).toBe(9);
    const result = await host.unloadHP(id);
    expect(result.warnings).toEqual([]);
    expect(logs).toEqual([1, 2, 3, 4]);
    expect(events.map((e) => e.type === "hook" ? `hook:${e.hook}` : e.type)).toEqual([
      "load-begin", "hook:HPBeforeLoad", "commit", "hook:HPAfterLoad", "loaded",
      "unload-begin", "hook:HPBeforeUnload", "revert", "hook:HPAfterUnload", "unloaded", "released",
    ]);
  });

  test("HPBeforeLoad vetoes by returning non-zero or trapping; nothing changes", async () => {
    const { host, x, events } = await makeHost();
    for (const body of ["(result i32) (i32.const 7)", "(unreachable)"]) {
      const err = await host.loadHP({ hp_bytes: hooked({ HPBeforeLoad: body }), replace_config: replaceVersion }).catch((e) => e);
      expect(err).toBeInstanceOf(HotwasmError);
      expect(err.code).toBe("E_HOOK_VETO");
      expect(x.version()).toBe(1);
    }
    expect(host.getHPInfo()).toEqual([]);
    expect(events.filter((e) => e.type === "refused").map((e) => e.type === "refused" && e.code)).toEqual(["E_HOOK_VETO", "E_HOOK_VETO"]);
  });

  test("a failing HPAfterLoad rolls the load back", async () => {
    const { host, x, events } = await makeHost();
    const err = await host.loadHP({ hp_bytes: hooked({ HPAfterLoad: "(result i32) (i32.const 1)" }), replace_config: replaceVersion }).catch((e) => e);
    expect(err.code).toBe("E_HOOK_FAILED");
    expect(x.version()).toBe(1);
    expect(host.getHPInfo()).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(["load-begin", "commit", "hook", "rollback", "refused"]);
  });

  test("HPBeforeUnload can veto; HPAfterUnload failures are reported, the unload stands", async () => {
    const { host, x } = await makeHost();
    const vetoing = await host.loadHP({ hp_bytes: hooked({ HPBeforeUnload: "(result i32) (i32.const 1)" }), replace_config: replaceVersion });
    await expect(host.unloadHP(vetoing)).rejects.toMatchObject({ code: "E_HOOK_VETO" });
    expect(x.version()).toBe(9);
    expect(host.getHPInfo()).toHaveLength(1);

    const { host: h2, x: x2 } = await makeHost();
    const failing = await h2.loadHP({ hp_bytes: hooked({ HPAfterUnload: "(unreachable)" }), replace_config: replaceVersion });
    const result = await h2.unloadHP(failing);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/HPAfterUnload failed \(trapped/);
    expect(x2.version()).toBe(1);
    expect(h2.getHPInfo()).toEqual([]);
  });
});

describe("identity", () => {
  test("the same bytes and config twice is refused with the existing id; another config is another patch", async () => {
    const { host } = await makeHost();
    const id = await host.loadHP({ hp_bytes: version(2), replace_config: replaceVersion });
    const err = await host.loadHP({ hp_bytes: version(2), replace_config: replaceVersion }).catch((e) => e);
    expect(err.code).toBe("E_ALREADY_LOADED");
    expect(err.details.hp_id).toBe(id);
    expect(err.message).toContain(id);
    const other = await host.loadHP({ hp_bytes: version(2), replace_config: { version: "add" } }).catch((e) => e);
    expect(other.code).toBe("E_SIGNATURE_MISMATCH"); // a distinct patch, checked on its own
  });

  test("a buffer reused for other bytes is read afresh (recent patches are recognised by content)", async () => {
    const { host, x } = await makeHost();
    const [two, three] = [version(2), version(3)];
    expect(two.length).toBe(three.length);
    const buffer = two.slice();
    const first = await host.loadHP({ hp_bytes: buffer, replace_config: replaceVersion });
    await host.unloadHP(first);
    buffer.set(three);
    const second = await host.loadHP({ hp_bytes: buffer, replace_config: replaceVersion });
    expect(second).not.toBe(first);
    expect(x.version()).toBe(3);
    expect(host.getHPInfo()[0]!.sha256).toBe(createHash("sha256").update(three).digest("hex"));
    await host.unloadHP(second);
    buffer.set(two);
    expect(await host.loadHP({ hp_bytes: buffer, replace_config: replaceVersion })).toBe(first);
    expect(x.version()).toBe(2);
  });

  test("a changed file at the same path loads as a new patch", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hotwasm-"));
    try {
      const { host, x } = await makeHost();
      const file = join(dir, "hp.wasm");
      await writeFile(file, version(2));
      const first = await host.loadHP({ hp_file: file, replace_config: replaceVersion });
      expect(x.version()).toBe(2);
      await writeFile(file, version(3));
      const second = await host.loadHP({ hp_file: file, replace_config: replaceVersion });
      expect(second).not.toBe(first);
      expect(x.version()).toBe(3);
      expect(host.getHPInfo().map((p) => p.config.hp_file)).toEqual([file, file]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("after unload the patch instance is unreachable", async () => {
    const { host, x } = await makeHost();
    let collected = false;
    const registry = new FinalizationRegistry(() => { collected = true; });
    const id = await host.loadHP({ hp_bytes: version(2), replace_config: replaceVersion });
    // Reach the instance only through the patched function, then let go of everything.
    registry.register((host as unknown as { state: { patches: Map<string, { instance: object }> } }).state.patches.get(id)!.instance, "patch");
    expect(x.version()).toBe(2);
    await host.unloadHP(id);
    expect(x.version()).toBe(1);
    for (let i = 0; i < 50 && !collected; i++) {
      (globalThis as { gc?: () => void }).gc?.();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(collected).toBe(true);
  });
});

describe("atomicity", () => {
  test("a patch applied inside a call from Wasm takes effect at the next call; the running frame finishes on old code", async () => {
    const bytes = version(2);
    let loaded = "";
    const { host, x } = await makeHost((h) => { loaded = h.loadHPSync({ hp_bytes: bytes, replace_config: replaceVersion }); });
    // versionAroundCallback calls version(), then the host (which patches), then version() again.
    expect(x.versionAroundCallback()).toBe(12);
    expect(loaded).toMatch(/^[0-9a-f]{64}$/);
    expect(x.version()).toBe(2);
  });

  test("concurrent loads and unloads are serialised in the order asked", async () => {
    const { host, x } = await makeHost();
    const ids = await Promise.all([2, 3, 4, 5].map((n) => host.loadHP({ hp_bytes: version(n), replace_config: replaceVersion })));
    expect(host.patchStack("version")).toEqual(ids);
    expect(x.version()).toBe(5);
    await Promise.all(ids.map((id) => host.unloadHP(id)));
    expect(x.version()).toBe(1);
  });

  test("a synchronous load while another operation runs is refused with E_BUSY", async () => {
    const { host } = await makeHost();
    const pending = host.loadHP({ hp_bytes: version(2), replace_config: replaceVersion });
    expect(() => host.loadHPSync({ hp_bytes: version(3), replace_config: replaceVersion })).toThrow(expect.objectContaining({ code: "E_BUSY" }));
    await pending;
  });
});
