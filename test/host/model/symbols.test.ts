// Name resolution: exact names, unique suffixes, main.X, ambiguity, suggestions, library names.

import { expect, test } from "vitest";
import { SymbolTable } from "../../../host/model/symbols.js";
import type { Manifest } from "../../../host/model/manifest.js";

const fn = (name: string) => ({ name, params: [], results: [], slot: 1, export: "e", flag: "f" });
const manifest = {
  entries: ["assembly/index"],
  functions: ["assembly/index/func1", "assembly/index/Counter#inc", "assembly/game/Board#inc", "assembly/game/func1", "~lib/string/String#concat", "~lib/util/number/itoa32", "assembly/index/itoa32"].map(fn),
  globals: [{ name: "assembly/index/globalValue", type: "i32", mutable: true, export: "g0" }],
} as unknown as Manifest;
const symbols = new SymbolTable(manifest);

test.each([
  ["assembly/index/func1", "assembly/index/func1"],
  ["main.func1", "assembly/index/func1"],
  ["Counter#inc", "assembly/index/Counter#inc"],
  ["game/func1", "assembly/game/func1"],
  ["main.globalValue", "assembly/index/globalValue"],
  ["itoa32", "assembly/index/itoa32"], // the program's own name wins over the library's
  ["~lib/string/String#concat", "~lib/string/String#concat"],
])("%s resolves to %s", (query, name) => {
  expect(symbols.resolve(query).name).toBe(name);
});

test("an ambiguous name lists its candidates", () => {
  expect(() => symbols.resolve("func1")).toThrow(expect.objectContaining({
    code: "E_AMBIGUOUS_SYMBOL",
    details: { symbol: "func1", candidates: ["assembly/game/func1", "assembly/index/func1"] },
  }));
  expect(() => symbols.resolve("inc")).toThrow(expect.objectContaining({ code: "E_UNKNOWN_SYMBOL" }));
});

test("an unknown name suggests a close one", () => {
  expect(() => symbols.resolve("main.globalValeu")).toThrow(/did you mean "assembly\/index\/globalValue"/);
  expect(() => symbols.resolve("zzzzzzzz")).toThrow(/^no symbol "zzzzzzzz" in the base$/);
});

test("resolveFunction refuses a global", () => {
  expect(() => symbols.resolveFunction("main.globalValue")).toThrow(expect.objectContaining({ code: "E_IMPORT_KIND_MISMATCH" }));
});
