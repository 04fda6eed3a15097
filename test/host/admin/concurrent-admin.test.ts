// Under load: 100 concurrent load and unload requests on the HTTP API while the program is called
// continuously. Every request gets exactly one answer, every call succeeds with a value some
// patch (or the base) gives, and the final state is exactly what the serialised order implies.

import { afterAll, beforeAll, expect, test } from "vitest";
import { createServer, type Server } from "node:http";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { makeHost } from "../../helpers/base.js";
import { fnPatch } from "../../helpers/wat.js";
import { canonicalMaps } from "../../../host/model/config.js";
import { HPHttpServer } from "../../../host/admin/http-server.js";

let server: Server;
let url = "";
let ctx: Awaited<ReturnType<typeof makeHost>>;
beforeAll(async () => {
  ctx = await makeHost();
  server = createServer(HPHttpServer(ctx.host));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));

const rv = { version: "main.version" };
const bytesOf = (k: number) => fnPatch("version", "(result i32)", `(i32.const ${k})`);
/** The id the host gives a patch: SHA-256 of the bytes' digest and the canonical config. */
const idOf = (k: number) => bytesToHex(sha256(new TextEncoder().encode(`${bytesToHex(sha256(bytesOf(k)))}\n${canonicalMaps({ hp_file: "", replace_config: rv, ref_config: {} })}`)));

test("100 concurrent loads and unloads while the program runs: no lost or duplicated patch, no failed call", async () => {
  const { host, x, events } = ctx;
  const ks = Array.from({ length: 60 }, (_, i) => 100 + i);
  const kOf = new Map(ks.map((k) => [idOf(k), k]));
  const requests = [
    ...ks.map((k) => ({ kind: "load", k })),
    ...ks.slice(0, 20).map((k) => ({ kind: "load", k })), // duplicates: E_ALREADY_LOADED unless unloaded in between
    ...ks.slice(0, 20).map((k) => ({ kind: "unload", k })), // may come before or after their load
  ].sort((a, b) => ((a.k * 7919 + a.kind.length) % 101) - ((b.k * 7919 + b.kind.length) % 101));
  expect(requests).toHaveLength(100);

  let calls = 0;
  const failures: string[] = [];
  let running = true;
  const caller = (async () => {
    while (running) {
      try {
        const v = x.version() as number;
        if (v !== 1 && !(v >= 100 && v < 160)) failures.push(`version() = ${v}`);
        if (x.add(2, 3) !== 5) failures.push("add");
        calls += 2;
      } catch (err) {
        failures.push(String(err));
      }
      await new Promise((r) => setImmediate(r));
    }
  })();

  const answers = await Promise.all(requests.map(async (req) => {
    const res = req.kind === "load"
      ? await fetch(`${url}/hp/v1/load?replace_config=${encodeURIComponent(JSON.stringify(rv))}`, { method: "POST", headers: { "content-type": "application/wasm" }, body: bytesOf(req.k) as BodyInit })
      : await fetch(`${url}/hp/v1/unload`, { method: "POST", body: JSON.stringify({ hp_id: idOf(req.k) }) });
    return { ...req, status: res.status, body: (await res.json()) as { hp_id?: string; code?: string } };
  }));
  running = false;
  await caller;

  expect(failures).toEqual([]);
  expect(calls).toBeGreaterThan(0);
  expect(answers.every((a) => (a.status === 200 && !a.body.code) || (a.kind === "load" ? a.body.code === "E_ALREADY_LOADED" : a.body.code === "E_UNKNOWN_PATCH"))).toBe(true);

  // Replay the serialised order from the host's events: each outcome must fit the state at its turn.
  const loaded = new Set<string>();
  for (const e of events) {
    if (e.type === "loaded") { expect(loaded.has(e.hp_id)).toBe(false); loaded.add(e.hp_id); }
    if (e.type === "unloaded") { expect(loaded.has(e.hp_id)).toBe(true); loaded.delete(e.hp_id); }
    if (e.type === "refused") expect([e.code, loaded.has(e.hp_id!)]).toEqual([e.code, e.code === "E_ALREADY_LOADED"]);
  }
  const ok = (kind: string) => answers.filter((a) => a.kind === kind && a.status === 200).length;
  expect([events.filter((e) => e.type === "loaded").length, events.filter((e) => e.type === "unloaded").length]).toEqual([ok("load"), ok("unload")]);
  expect(events.filter((e) => e.type === "refused").length).toBe(100 - ok("load") - ok("unload"));

  const info = host.getHPInfo().map((p) => p.hp_id);
  expect(new Set(info)).toEqual(loaded);
  expect(host.patchStack("version")).toEqual(info);
  expect(x.version()).toBe(kOf.get(info.at(-1)!) ?? 1);
  console.log(`concurrent: 100 requests (${ok("load")} loads and ${ok("unload")} unloads applied, ${100 - ok("load") - ok("unload")} refused as the order implies), ${calls} calls during them, 0 failed; ${info.length} patches in force`);
  for (const id of info) await host.unloadHP(id);
  expect(x.version()).toBe(1);
});
