// Every runtime gets a patch arena (incremental, minimal, stub), or the build says why not: a
// patch with new static data built by `hotwasm diff` loads into each, keeps the program's state,
// and unloads back to the original; a configuration that leaves no room is refused at build time.

import { describe, expect, test } from "vitest";
import { buildDiff } from "../../../compiler/diff/build-diff.js";
import { buildPatchable } from "../../../compiler/base/build.js";
import { appSource, buildBase, hostOf } from "../../helpers/toolchain.js";
import { DEFAULT_ARENA_SIZE } from "../../../compiler/base/patchable-transform.js";

const edited = appSource
  .replace(`export function literal(): string { return "old"; }`, `export function literal(): string { return "a new literal, " + items.length.toString() + " items"; }`)
  .replace(`hits++; return hits;`, `hits += 10; return hits;`);

describe.each(["incremental", "minimal", "stub"])("the %s runtime", (runtime) => {
  test("has an arena; a diff with a new literal loads, keeps the state, unloads back", async () => {
    const base = await buildBase(appSource, { ascArgs: ["-O3", "--runtime", runtime] });
    const { host, x, str, arg } = await hostOf(base);
    const arena = host.manifest.arena;
    expect(arena.size).toBe(DEFAULT_ARENA_SIZE);
    expect(arena.start % 16).toBe(0);
    x.addItem(arg("a"));
    x.addItem(arg("b"));
    expect(x.hit()).toBe(1);
    const { patch, report } = await buildDiff({ base, files: { "assembly/index.ts": edited } });
    expect(report.changed).toEqual(["assembly/index/hit", "assembly/index/literal"]);
    expect(patch!.meta.link!.data_size).toBeGreaterThan(0);
    const id = await host.loadHP({ hp_bytes: patch!.binary });
    expect(str(x.literal())).toBe("a new literal, 2 items");
    expect(x.hit()).toBe(11);
    x.addItem(arg("c"));
    expect(str(x.literal())).toBe("a new literal, 3 items");
    await host.unloadHP(id);
    expect(str(x.literal())).toBe("old");
    expect(x.hit()).toBe(12);
    expect(x.itemCount()).toBe(3);
    expect(str(x.itemLabel(2))).toBe("c#1");
  });
});

describe("a build that cannot have an arena is refused, naming the option", () => {
  test("E_NO_ARENA: --lowMemoryLimit below the arena", async () => {
    const err = await buildPatchable({ entries: ["assembly/index.ts"], files: { "assembly/index.ts": appSource }, outFile: false, config: false, ascArgs: ["--runtime", "stub", "--lowMemoryLimit", "16384"] })
      .then(() => null, (e: { code: string; message: string }) => e);
    expect(err?.code).toBe("E_NO_ARENA");
    expect(err?.message).toMatch(/--lowMemoryLimit 16384 leaves no room for a patch arena of 65536 bytes/);
  });

  test("--arena 0 is allowed: no arena, and no patch with static data is ever written for it", async () => {
    const base = await buildBase(appSource, { arenaSize: 0, ascArgs: ["-O3", "--runtime", "stub"] });
    const err = await buildDiff({ base, files: { "assembly/index.ts": edited } }).then(() => null, (e: { code: string }) => e);
    expect(err?.code).toBe("E_ARENA_FULL");
  });
});
