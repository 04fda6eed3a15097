// Safepoint polls (`--safepoints`): where each mode puts them, how often they call hotwasm.poll,
// that library code gets none, that programs behave the same, and that bad options are refused.

import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { instantiate } from "@assemblyscript/loader";
import { manifestOf } from "../../../compiler/base/build.js";
import { Host } from "../../../host/core/host.js";
import { buildApp } from "../../helpers/build.js";

const source = `
export function loopy(n: i32): i32 { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }
export function leaf(x: i32): i32 { return x + 1; }
// @hotwasm-nopatch
export function hot(n: i32): i32 { let s = 0; for (let i = 0; i < n; i++) s ^= i; return s; }
export function libOnly(): i32 { return "a,b,c,d,e,f".split(",").length; }
class Box { v: i32 = 3; get(): i32 { return this.v; } }
export function boxed(): i32 { return new Box().get(); }
export function fact(n: i32): i32 { return n <= 1 ? 1 : n * fact(n - 1); }
`;
const files = { "assembly/index.ts": source };
const build = (safepoints: "off" | "entries" | "loops" | "both", pollInterval?: number) => buildApp(files, { safepoints, pollInterval });
const importsPoll = (bytes: Uint8Array) => WebAssembly.Module.imports(new WebAssembly.Module(bytes as BufferSource)).some((i) => i.module === "hotwasm" && i.name === "poll");

async function withPollCounter(bytes: Uint8Array) {
  const counter = { polls: 0 };
  const host = await Host.instantiate(bytes, { hotwasm: { poll: () => { counter.polls++; } } });
  return { x: host.exports, counter };
}

describe("placement", () => {
  test("each mode polls where it says and records it in the manifest; off adds nothing", async () => {
    const off = await build("off");
    expect(manifestOf(off).safepoints).toBeUndefined();
    expect(importsPoll(off)).toBe(false);
    // Entry polls where time can add up: loopy and hot (loops), libOnly, boxed and Box#constructor
    // (library code with loops), fact (recursion); not leaf and Box#get. Loop polls in loopy and hot.
    const sites = { entries: manifestOf(await build("entries")).safepoints?.sites, loops: manifestOf(await build("loops")).safepoints?.sites };
    expect(sites.entries).toEqual({ entries: 6, loops: 0 });
    expect(sites.loops).toEqual({ entries: 0, loops: 2 });
    const both = manifestOf(await build("both", 50)).safepoints;
    expect(both).toEqual({ mode: "both", interval: 50, import: { module: "hotwasm", name: "poll" }, countdown: "hotwasm:countdown", sites: { entries: 6, loops: 2 } });
    expect(importsPoll(await build("both"))).toBe(true);
  });

  test("polls call hotwasm.poll once per interval sites; library loops have none", async () => {
    const { x, counter } = await withPollCounter(await build("loops", 100));
    expect(x.loopy(10_000)).toBe(49_995_000);
    expect(counter.polls).toBeGreaterThanOrEqual(99);
    expect(counter.polls).toBeLessThanOrEqual(101);
    counter.polls = 0;
    expect(x.hot(1000)).toBe(0); // a @hotwasm-nopatch function still gets loop polls
    expect(counter.polls).toBeGreaterThanOrEqual(9);
    const every = await withPollCounter(await build("loops", 1));
    expect(every.x.libOnly()).toBe(6);
    expect(every.counter.polls).toBe(0); // split's loops are library code
  });

  test("entry polls: every call of a function that may run long; none in bounded ones or library code", async () => {
    const { x, counter } = await withPollCounter(await build("entries", 1));
    expect(x.boxed()).toBe(3);
    expect(counter.polls).toBe(2); // boxed, Box#constructor (it allocates); not Box#get, not __new
    counter.polls = 0;
    expect(x.leaf(1)).toBe(2); // no loop, no call: bounded without a poll
    expect(counter.polls).toBe(0);
    expect(x.loopy(1000)).toBe(499_500); // one entry poll; its loop is polled only in "loops" and "both"
    expect(counter.polls).toBe(1);
    counter.polls = 0;
    expect(x.fact(10)).toBe(3_628_800); // recursion: a poll per call
    expect(counter.polls).toBe(10);
  });

  test("a single Host instantiates a safepoint build without a poll import", async () => {
    const host = await Host.instantiate(await build("both", 1), {});
    expect(host.exports.loopy(100)).toBe(4950);
  });
});

describe("refusals", () => {
  test("an unknown mode or a bad interval fails the build with the reason", async () => {
    await expect(buildApp(files, { safepoints: "sometimes" as "off" })).rejects.toThrow(/safepoints must be one of off, entries, loops, both, not "sometimes"/);
    await expect(buildApp(files, { safepoints: "loops", pollInterval: 0 })).rejects.toThrow(/the poll interval must be a whole number from 1/);
  });
});

const program = (name: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/programs/${name}.ts`, import.meta.url)), "utf8");

test.each(["recursion", "classes", "strings", "funcrefs", "exports"])("%s behaves the same with a poll at every site", async (name) => {
  const programFiles = { [`assembly/${name}.ts`]: program(name) };
  const run = async (bytes: Uint8Array) => {
    let polls = 0;
    const { exports } = (await instantiate(bytes as BufferSource, { hotwasm: { poll: () => { polls++; } } })) as { exports: Record<string, any> };
    return { out: [exports.__getString(exports.run()), exports.__getString(exports.run())], polls };
  };
  const plain = await run(await buildApp(programFiles, { plain: true }));
  const polled = await run(await buildApp(programFiles, { safepoints: "both", pollInterval: 1 }));
  expect(polled.out).toEqual(plain.out);
  expect(polled.polls).toBeGreaterThan(0);
});
