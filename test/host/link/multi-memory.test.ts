// A patch has one memory at most, and the only memory it may import is the base's (env.memory):
// a second import of env.memory (multi-memory, on by default from Node 22) would let a data segment
// on memory 1 write outside the patch arena at instantiation. Refused on every engine, before the
// patch is compiled (issue 14, attack 3).

import { beforeAll, expect, test } from "vitest";
import { makeHost } from "../../helpers/base.js";
import { wat } from "../../helpers/wat.js";
import { readModule } from "../../../host/wasm/wasm-reader.js";

let ctx: Awaited<ReturnType<typeof makeHost>>;
beforeAll(async () => { ctx = await makeHost(); });

const version = `(func (export "version") (result i32) (i32.const 2))`;

test.each([
  ["env.memory imported twice, data on memory 1 at address 16", `(import "env" "memory" (memory $a 1)) (import "env" "memory" (memory $b 1)) (data (memory $b) (i32.const 16) "evil")`, /2 memories \(2 imported\)/],
  ["env.memory and a memory of its own", `(import "env" "memory" (memory $a 1)) (memory $own 1) (data (memory $own) (i32.const 16) "mine")`, /2 memories \(1 imported\)/],
  ["a memory imported from another module", `(import "js" "mem" (memory 1)) (data (i32.const 16) "evil")`, /imports memory "js\.mem"/],
])("E_MULTIPLE_MEMORIES: %s; memory and program unchanged", async (_, body, message) => {
  const { host, x } = ctx;
  const bytes = wat(`(module ${body} ${version})`);
  expect(readModule(bytes).data.length).toBe(1);
  const memory = x.memory as WebAssembly.Memory;
  const before = Buffer.from(memory.buffer.slice(0));
  const err = await host.loadHP({ hp_bytes: bytes, replace_config: { version: "main.version" } }).then(() => null, (e: { code: string; message: string }) => e);
  expect(err?.code).toBe("E_MULTIPLE_MEMORIES");
  expect(err?.message).toMatch(message);
  expect(Buffer.from(memory.buffer).equals(before)).toBe(true);
  expect([host.getHPInfo(), x.version()]).toEqual([[], 1]);
});

test("one memory, the base's, with data in the arena: still loads", async () => {
  const { host, x } = ctx;
  const at = host.manifest.arena.start + 32;
  const id = await host.loadHP({ hp_bytes: wat(`(module (import "env" "memory" (memory 1)) (data (i32.const ${at}) "ok") ${version})`), replace_config: { version: "main.version" } });
  expect(x.version()).toBe(2);
  await host.unloadHP(id);
});
