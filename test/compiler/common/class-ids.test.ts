// Class ids pinned to the base's (compiler/common/class-ids.ts): asc numbers classes in the order
// it creates them; a build with more in it must still give every class of the base its id.

import { describe, expect, test } from "vitest";
import type { Program } from "assemblyscript";
import { runAsc } from "../../../compiler/common/run-asc.js";
import { classIdProblem, createBaseClasses, pinClassIds, type BaseClass } from "../../../compiler/common/class-ids.js";
import { describeClasses } from "../../../compiler/common/class-layout.js";
import { NO_CONFIG } from "../../../compiler/base/build.js";

const app = `export function words(s: string): i32 { return s.split(" ").length; }
export function total(): i32 { const a: i32[] = [1, 2, 3]; return a[0] + a[1] + a[2]; }
`;
// The new class is created first: unpinned, it takes the id Array<String> had.
const edited = `class Vec { constructor(public x: f64) {} }\n${app.replace(`return s.split(" ").length;`, `const v = new Vec(2); return s.split(" ").length + <i32>v.x;`)}`;

/** The managed classes of `source` compiled with `setup` applied (id -> name). */
async function classesOf(source: string, setup: { pin?: BaseClass[]; create?: BaseClass[] } = {}): Promise<BaseClass[]> {
  let out: BaseClass[] = [];
  let program: Program | null = null;
  class Capture {
    declare program: Program;
    afterParse(): void { program = this.program; if (setup.pin) pinClassIds(this.program, setup.pin); }
    afterInitialize(): void { if (setup.create) createBaseClasses(this.program, setup.create); }
    afterCompile(): void { out = describeClasses(this.program).map(({ id, name }) => ({ id, name })); }
  }
  try {
    await runAsc({ argv: ["assembly/index.ts", "--config", NO_CONFIG, "--exportRuntime", "--noEmit"], cwd: process.cwd(), files: { "assembly/index.ts": source }, transforms: [Capture], noEmit: true });
  } catch (err) {
    throw (program && classIdProblem(program)) ?? err;
  }
  return out;
}

describe("class ids", () => {
  test("unpinned, a class created first moves the ids of the classes after it", async () => {
    const base = await classesOf(app);
    const moved = await classesOf(edited);
    expect(moved.find((c) => c.name === "~lib/array/Array<~lib/string/String>")!.id).not.toBe(base.find((c) => c.name === "~lib/array/Array<~lib/string/String>")!.id);
  });

  test("pinned, every class of the base keeps its id and the new one comes after them", async () => {
    const base = await classesOf(app);
    const pinned = await classesOf(edited, { pin: base });
    expect(pinned.slice(0, base.length)).toEqual(base);
    expect(pinned.slice(base.length)).toEqual([{ id: base.length, name: "assembly/index/Vec" }]);
  });

  test("a class of the base the new build no longer creates is created by name, generic arguments and all", async () => {
    const base = await classesOf(app);
    const without = await classesOf(`export function total(): i32 { return 6; }\n`, { pin: base, create: base });
    expect(without).toEqual(base);
  });

  test("a class that is gone from the sources: E_CLASS_ID_MISMATCH", async () => {
    const found = await classesOf(app);
    const base = [...found, { id: found.length, name: "assembly/index/Gone" }];
    await expect(classesOf(app, { pin: base, create: base })).rejects.toThrow(new RegExp(`class assembly/index/Gone of the base \\(id ${found.length}\\) is not in the new build`));
  });
});
