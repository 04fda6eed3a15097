// docs/errors.md and ERROR_CODES agree: every code has its row with the same meaning and HTTP
// status, the table has no other code, and no page of the docs (or the README) names a code
// that does not exist.

import { describe, expect, test } from "vitest";
import { ERROR_CODES, httpStatusOf, type ErrorCode } from "../../host/errors.js";
import { diskWorld, withoutFences } from "../helpers/markdown.js";

const world = diskWorld();
/** How the docs write "any code" (`error E_CODE: message`); not a code. */
const PLACEHOLDER = "E_CODE";

describe("docs/errors.md", () => {
  const rows = tableRows(world.read("docs/errors.md"));

  test("has a row for every code in ERROR_CODES, with its meaning and HTTP status", () => {
    const wrong: string[] = [];
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      const row = rows.get(code);
      const expected = `${meaning} | ${httpStatusOf(code as ErrorCode)}`;
      if (!row) wrong.push(`${code}: no row`);
      else if (`${row.meaning} | ${row.status}` !== expected) wrong.push(`${code}: "${row.meaning} | ${row.status}", ERROR_CODES says "${expected}"`);
    }
    expect(wrong).toEqual([]);
  });

  test("lists no code that ERROR_CODES does not have", () => {
    expect([...rows.keys()].filter((code) => !Object.hasOwn(ERROR_CODES, code))).toEqual([]);
  });
});

test("every E_ code named in README.md and docs/ exists", () => {
  const unknown: string[] = [];
  for (const [page, text] of world.pages) {
    for (const { code, line } of codesNamed(text)) if (code !== PLACEHOLDER && !Object.hasOwn(ERROR_CODES, code)) unknown.push(`${page}:${line}: ${code}`);
  }
  expect(unknown).toEqual([]);
});

test("the checks see a missing row, a changed meaning and an unknown code", () => {
  const sample = "| code | meaning | HTTP status |\n|---|---|---|\n| `E_BUSY` | busy | 409 |\n| `E_NOPE` | nothing | 422 |\n";
  const rows = tableRows(sample);
  expect(rows.get("E_BUSY")).toEqual({ meaning: "busy", status: "409" });
  expect(rows.has("E_INTERNAL")).toBe(false);
  expect(codesNamed("Refused with `E_NOPE`, then E_BUSY;\n```\nE_FENCED_TOO\n```\nnot RUNTIME_HOOKS or HOTWASM_ARENA.")).toEqual([
    { code: "E_NOPE", line: 1 }, { code: "E_BUSY", line: 1 }, { code: "E_FENCED_TOO", line: 3 },
  ]);
});

/** The error table's rows: code -> meaning and status. */
function tableRows(text: string): Map<string, { meaning: string; status: string }> {
  const rows = new Map<string, { meaning: string; status: string }>();
  for (const m of withoutFences(text).matchAll(/^\| `(E_[A-Z0-9_]+)` \| (.+?) \| (\d{3}) \|$/gm)) rows.set(m[1]!, { meaning: m[2]!, status: m[3]! });
  return rows;
}

/** Every word that looks like an error code, in prose and in code blocks alike. */
function codesNamed(text: string): { code: string; line: number }[] {
  return [...text.matchAll(/\bE_[A-Z][A-Z0-9_]*\b/g)].map((m) => ({ code: m[0], line: text.slice(0, m.index).split("\n").length }));
}
