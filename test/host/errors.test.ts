// The README's table of error codes is complete, and HotwasmError keeps its code and cause.

import { expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ERROR_CODES, HotwasmError, httpStatusOf, toHotwasmError } from "../../host/errors.js";

test("every code is in the README's table with its meaning", () => {
  const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");
  for (const [code, meaning] of Object.entries(ERROR_CODES)) expect(readme).toContain(`| \`${code}\` | ${meaning} |`);
});

test("errors carry code, cause and a one-line form; unknown throws become E_INTERNAL", () => {
  const cause = new Error("boom");
  const err = new HotwasmError("E_INVALID_MODULE", "bad bytes", { cause });
  expect([err.code, err.cause, err.toLine(), err.name]).toEqual(["E_INVALID_MODULE", cause, "E_INVALID_MODULE: bad bytes", "HotwasmError"]);
  expect(toHotwasmError(new TypeError("x")).code).toBe("E_INTERNAL");
  expect([httpStatusOf("E_UNKNOWN_PATCH"), httpStatusOf("E_SIGNATURE_MISMATCH"), httpStatusOf("E_INVALID_CONFIG")]).toEqual([404, 422, 400]);
});
