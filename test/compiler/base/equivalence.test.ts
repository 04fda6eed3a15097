// The transformed module behaves exactly like the plain one: same results for the same calls,
// across recursion, classes (virtual methods, getters, statics), strings and maps, function
// references, exported and private functions, and several runtimes and optimisation levels.

import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { instantiate } from "@assemblyscript/loader";
import { buildApp } from "../../helpers/build.js";

const program = (name: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/programs/${name}.ts`, import.meta.url)), "utf8");

type Exports = Record<string, any>;
type Probe = (x: Exports) => unknown[];

const probes: Record<string, Probe> = {
  recursion: (x) => [x.fib(25), x.parity(10), x.parity(7), x.ackermann(2n, 2n)],
  classes: (x) => {
    const p = x.makePoint(6, 8);
    return [x.pointLen(p), x.pointLen(x.makePoint(1, 1))];
  },
  strings: (x) => [x.countWords(x.__newString("a b a")), x.__getString(x.shout(x.__newString("abc"))), x.countWords(x.__newString("A a A"))],
  funcrefs: (x) => [x.apply(0, 21), x.apply(1, 9), x.__getString(x.mapAll())],
  exports: (x) => [x.publicApi(3, 4), x.total.value, x.LIMIT.value, x.withDefault(2), x.secretTimes(3)],
};

const configs: [string, string[]][] = [
  ["incremental -O3", ["-O3"]],
  ["minimal -Os", ["-Os", "--runtime", "minimal"]],
  ["stub -O0", ["--runtime", "stub"]],
];

async function run(bytes: Uint8Array, probe: Probe) {
  const { exports } = await instantiate(bytes as BufferSource, {}) as { exports: Exports };
  const first = exports.__getString(exports.run());
  return [first, ...probe(exports), exports.__getString(exports.run())];
}

describe.each(configs)("%s", (_, ascArgs) => {
  test.each(Object.keys(probes))("%s: plain and patchable agree", async (name) => {
    const files = { [`assembly/${name}.ts`]: program(name) };
    const [plain, patchable] = await Promise.all([buildApp(files, { plain: true, ascArgs }), buildApp(files, { ascArgs })]);
    const expected = await run(plain, probes[name]!);
    expect(await run(patchable, probes[name]!)).toEqual(expected);
  });
});
