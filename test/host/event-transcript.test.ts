// Golden event transcript: the exact sequence of host events for a load vetoed by its hook, a load
// rolled back by HPAfterLoad, stacked loads and unloads out of order, a vetoed unload, a refused
// unload and a trap-containment rollback. HOTWASM_UPDATE_GOLDEN=1 rewrites the golden file.

import { expect, test } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { makeHost } from "../helpers/base.js";
import { wat } from "../helpers/wat.js";
import type { HostEvent } from "../../host/model/events.js";

const golden = fileURLToPath(new URL("./event-transcript.golden.txt", import.meta.url));

/** A version patch returning `n`, with hook bodies (WAT) by name; hooks log their number. */
function patch(n: number, hooks: Record<string, string> = {}, extra = ""): Uint8Array {
  const fns = Object.entries(hooks).map(([name, body]) => `(func (export "${name}") ${body})`).join(" ");
  return wat(`(module (import "env" "log" (func $log (param i32))) (func (export "version") (result i32) (i32.const ${n})) ${fns} ${extra})`);
}

test("the exact event sequences of vetoes, rollbacks, stacked unloads and trap containment", async () => {
  const { host, x, events } = await makeHost();
  const names = new Map<string, string>([["f".repeat(64), "UNKNOWN"]]);
  const name = (id: string | null) => (id === null ? "-" : (names.get(id) ?? id));
  const load = (bytes: Uint8Array) => host.loadHP({ hp_bytes: bytes, replace_config: { version: "version" } }).catch(() => "");
  const ok = "(result i32) (i32.const 0)";
  const vetoing = patch(10, { HPBeforeLoad: "(result i32) (i32.const 1)" });
  const failing = patch(11, { HPBeforeLoad: ok, HPAfterLoad: "(result i32) (call $log (i32.const 2)) (i32.const 7)" });
  const hooked = patch(3, { HPBeforeLoad: ok, HPAfterLoad: ok, HPBeforeUnload: ok, HPAfterUnload: "(unreachable)" });
  const refusing = patch(5, { HPBeforeUnload: "(result i32) (i32.const 9)" });
  const trapping = wat(`(module (func (export "add") (param i32 i32) (result i32) (if (i32.lt_s (local.get 0) (i32.const 0)) (then (unreachable))) (i32.const 0)))`);

  // Ids of refused loads appear in their events; name every id by the order it first shows up.
  const nameNew = () => { for (const e of events) if ("hp_id" in e && e.hp_id && !names.has(e.hp_id)) names.set(e.hp_id, `P${names.size}`); };
  await load(vetoing); nameNew();
  await load(failing); nameNew();
  const a = await load(patch(2)); nameNew();
  const b = await load(hooked); nameNew();
  const c = await load(patch(4)); nameNew();
  expect(x.version()).toBe(4);
  await host.unloadHP(b); // from the middle of the stack; its HPAfterUnload traps: a warning
  expect(x.version()).toBe(4);
  await host.unloadHP(c);
  expect(x.version()).toBe(2);
  const d = await load(refusing); nameNew();
  await host.unloadHP(d).catch(() => undefined); // vetoed
  await host.unloadHP("f".repeat(64)).catch(() => undefined);
  await host.unloadHP(a);
  expect(x.version()).toBe(5);
  await host.loadHP({ hp_bytes: trapping, replace_config: { add: "add" }, policy: { max_traps: 0, window_ms: 60_000 } }); nameNew();
  expect(() => x.add(-1, 0)).toThrow(WebAssembly.RuntimeError);
  expect(x.add(-1, 0)).toBe(-1);

  const lines = events.map((e: HostEvent) => {
    const { seq, time, type, ...rest } = e as HostEvent & Record<string, unknown>;
    void time;
    const fields = Object.entries(rest).filter(([, v]) => v !== undefined).map(([k, v]) => {
      if (k === "hp_id") return `${k}=${name(v as string | null)}`;
      if (k === "timings") return `${k}={${Object.keys(v as object).join(",")}}`; // durations vary; their phases do not
      return `${k}=${typeof v === "string" ? v.replace(/[0-9a-f]{64}/g, (id) => name(id)) : JSON.stringify(v)}`;
    });
    return [String(seq).padStart(2), type, ...fields].join(" ");
  });
  const text = `${lines.join("\n")}\n`;
  if (process.env.HOTWASM_UPDATE_GOLDEN) writeFileSync(golden, text);
  expect(text).toBe(readFileSync(golden, "utf8"));
});
