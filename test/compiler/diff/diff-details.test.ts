// What `hotwasm diff` reports besides the patch: a change is a change of code, not of line
// numbers (added lines above functions with checks, and above top-level code, change nothing
// there); each changed function's reason; one refusal per cause, with the generated code of a
// refused class change folded into it and the edit's location.

import { beforeAll, describe, expect, test } from "vitest";
import { buildDiff } from "../../../compiler/diff/build-diff.js";
import { buildApp } from "../../helpers/build.js";
import { Host } from "../../../host/core/host.js";
import { appSource, buildBase } from "../../helpers/toolchain.js";

const program = `// A program whose functions and top-level code carry checks with their positions.
export class Box { constructor(public v: i32) {} }
const boxes: Box[] = [new Box(1), new Box(2)];
assert(boxes.length == 2, "two boxes");
let spare: Box | null = null;

@inline function twice(x: i32): i32 { return x * 2; }
export function first(): i32 { return twice(boxes[0].v); }
export function checked(i: i32): i32 { assert(i >= 0, "negative"); return boxes[i].v; }
export function nullable(): i32 { return spare!.v; }
export function thrower(i: i32): i32 { if (i > 9) throw new Error("too big"); return i + 1; }
export function cast(): i32 { const o: Object = boxes[1]; return (<Box>o).v; }
export function label(): string { return "box " + boxes[0].v.toString(); }
`;

let base: Uint8Array;
beforeAll(async () => { base = await buildApp({ "assembly/index.ts": program }); });
const diff = (source: string) => buildDiff({ base, files: { "assembly/index.ts": source } });

describe("a change is a change of code, not of line numbers", () => {
  test("lines added at the top move every check below; only the edited function is patched", async () => {
    const edited = `// Three lines more,\n// above everything,\n// including the top-level assert.\n${program.replace("return i + 1;", "return i + 2;")}`;
    const { report, patch } = await diff(edited);
    expect(report.changed).toEqual(["assembly/index/thrower"]);
    expect(report.reasons).toEqual({ "assembly/index/thrower": "edited" });
    const host = await Host.instantiate(base);
    await host.loadHP({ hp_bytes: patch!.binary });
    expect(host.exports.thrower(1)).toBe(3);
    // An unedited function keeps the base's code, and with it the base's positions.
    expect(() => host.exports.thrower(10)).toThrow();
    expect(host.exports.checked(1)).toBe(2);
  });

  test("only moved: no change at all, nothing to write", async () => {
    const { report, patch } = await diff(`\n\n\n${program}`);
    expect([report.changed, patch]).toEqual([[], null]);
  });

  test("an edited @inline function: its callers are patched, each with the reason", async () => {
    const { report } = await diff(program.replace("return x * 2;", "return x * 3;"));
    expect(report.reasons).toEqual({ "assembly/index/first": "inlines an edited function: assembly/index/twice" });
  });
});

describe("one refusal per cause", () => {
  test("a retyped field: one E_LAYOUT_MISMATCH at the field, its generated accessors folded in", async () => {
    const b = await buildBase();
    const source = appSource.replace("constructor(public side: f64) { super(); }", "constructor(public side: f32) { super(); }");
    const err = await buildDiff({ base: b, files: { "assembly/index.ts": source } }).then(() => null, (e: { code: string; message: string; details: { problems: { code: string; at: string; details?: { symbol: string }[] }[] } }) => e);
    expect(err?.code).toBe("E_LAYOUT_MISMATCH");
    const problems = err!.details.problems;
    expect(problems.map((p) => p.code)).toEqual(["E_LAYOUT_MISMATCH"]);
    const line = appSource.split("\n").findIndex((l) => l.includes("constructor(public side: f64)")) + 1;
    expect(problems[0]!.at).toMatch(new RegExp(`^assembly/index\\.ts:${line}:\\d+$`));
    expect(problems[0]!.details!.map((d) => d.symbol)).toContain("assembly/index/Square#get:side");
    expect(err!.message.split("\n")).toEqual([
      "the edit cannot be applied as a patch (1 cause):",
      `  assembly/index.ts:${line}:22: E_LAYOUT_MISMATCH: class assembly/index/Square: field side changed its type from f64 to f32`,
      expect.stringMatching(/^ {6}with it: .*Square#get:side/),
    ]);
  });
});
