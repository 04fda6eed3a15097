// A patch's id: SHA-256 of its bytes' digest and its canonical maps, whatever the maps' key order,
// and never a remembered id for maps that differ.

import { describe, expect, test } from "vitest";
import { createHash } from "node:crypto";
import { patchIdOf } from "../../../host/link/patch-identity.js";
import type { EffectiveConfig } from "../../../host/model/config.js";

const digest = createHash("sha256").update("bytes").digest("hex");
const config = (replace_config: Record<string, string>, ref_config: Record<string, string> = {}): EffectiveConfig =>
  ({ hp_file: "", replace_config, ref_config });
const expected = (canonical: string) => createHash("sha256").update(`${digest}\n${canonical}`).digest("hex");

describe("patchIdOf", () => {
  test("is the SHA-256 of the digest and the maps with sorted keys, in any key order", () => {
    const id = expected(JSON.stringify({ replace_config: { a: "x", b: "y" }, ref_config: { r: "s" } }));
    expect(patchIdOf(digest, config({ b: "y", a: "x" }, { r: "s" }))).toBe(id);
    expect(patchIdOf(digest, config({ a: "x", b: "y" }, { r: "s" }))).toBe(id);
  });

  test("maps that differ in a value, a key, or by a key more or less give other ids", () => {
    const base = patchIdOf(digest, config({ a: "x" }));
    const others = [config({ a: "z" }), config({ c: "x" }), config({ a: "x", b: "y" }), config({}), config({ a: "x" }, { a: "x" })];
    const ids = others.map((c) => patchIdOf(digest, c));
    expect(new Set([base, ...ids]).size).toBe(others.length + 1);
    expect(patchIdOf(digest, config({ a: "x" }))).toBe(base);
  });

  test("a map changed after its id was worked out gets the id of its new entries", () => {
    const changing = config({ a: "x" });
    const before = patchIdOf(digest, changing);
    changing.replace_config.a = "w";
    expect(patchIdOf(digest, changing)).not.toBe(before);
    expect(patchIdOf(digest, changing)).toBe(expected(JSON.stringify({ replace_config: { a: "w" }, ref_config: {} })));
  });
});
