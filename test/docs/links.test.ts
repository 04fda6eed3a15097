// The docs hold together: every relative link in README.md and docs/ leads to a file that exists,
// every #anchor to a heading of its page, and every repository path written in code (`host/...`,
// `test/...`) exists; and the checker does find a broken link, anchor or path.

import { describe, expect, test } from "vitest";
import { anchorsOf, checkDocs, diskWorld, listDocPages, slugOf, type DocsWorld } from "../helpers/markdown.js";

describe("README.md and docs/", () => {
  test("every relative link, anchor and repository path resolves", () => {
    expect(checkDocs(diskWorld())).toEqual([]);
  });

  test("every docs page starts with what it is for and ends with its tests", () => {
    const world = diskWorld();
    const pages = listDocPages().filter((p) => p.startsWith("docs/") && p !== "docs/README.md");
    expect(pages.length).toBeGreaterThanOrEqual(14);
    const wrong: string[] = [];
    for (const page of pages) {
      const text = world.read(page);
      const firstParagraph = text.split("\n\n")[1] ?? "";
      if (!/^This page is for\b/.test(firstParagraph)) wrong.push(`${page}: does not start with "This page is for …"`);
      const headings = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
      if (headings.at(-1) !== "Tests") wrong.push(`${page}: its last section is not "Tests"`);
      if (!/## Tests\n[\s\S]*`test\/[^`]+\.(?:test\.ts|mjs|txt)`/.test(text)) wrong.push(`${page}: its Tests section names no test file`);
    }
    expect(wrong).toEqual([]);
  });

  test("the README stays short", () => {
    expect(diskWorld().read("README.md").split("\n").length).toBeLessThanOrEqual(250);
  });
});

describe("the checker", () => {
  test("makes GitHub's anchors: punctuation dropped, code unwrapped, repeats numbered", () => {
    expect(slugOf("Restarts without losing patches: `serve --state-dir DIR`")).toBe("restarts-without-losing-patches-serve---state-dir-dir");
    expect(slugOf("Hand-written patches (hotgo's style)")).toBe("hand-written-patches-hotgos-style");
    expect(slugOf("6. Pool swap pause")).toBe("6-pool-swap-pause");
    expect(slugOf("Node only: `hotwasm/node`")).toBe("node-only-hotwasmnode");
    expect([...anchorsOf("# A\n## Tests\n```\n# not a heading\n```\n## Tests\n### Tests")]).toEqual(["a", "tests", "tests-1", "tests-2"]);
  });

  test("finds a missing file, a missing anchor, a path outside, and a code path that does not exist", () => {
    const files = new Set(["README.md", "docs/a.md", "docs/b.md", "host/errors.ts"]);
    const pages = new Map([
      ["README.md", "# Top\n\nSee [a](docs/a.md), [a's part](docs/a.md#part-one), [gone](docs/gone.md), [outside](../x.md).\n"],
      ["docs/a.md", "# A\n\n## Part one\n\n[back](../README.md#top), [self](#part-two), [b](b.md#nope), [web](https://example.org/x#y).\n\n`host/errors.ts` and `host/nowhere.ts`, `build/app.wasm` (an output), `assembly/index/func1` and `assembly/index/Counter.create` (symbols).\n\n```sh\n[fenced](missing.md) `host/fenced.ts`\n```\n"],
      ["docs/b.md", "# B\n"],
    ]);
    const world: DocsWorld = { pages, exists: (p) => files.has(p), read: (p) => pages.get(p) ?? "" };
    expect(checkDocs(world)).toEqual([
      "README.md:3: docs/gone.md: docs/gone.md does not exist",
      "README.md:3: ../x.md: points outside the repository",
      "docs/a.md:5: #part-two: docs/a.md has no heading #part-two",
      "docs/a.md:5: b.md#nope: docs/b.md has no heading #nope",
      "docs/a.md:7: `host/nowhere.ts` does not exist",
    ]);
  });
});
