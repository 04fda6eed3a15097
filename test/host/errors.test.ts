// The tables of error codes (README, docs pages) are complete, and HotwasmError keeps its code and cause.

import { expect, test } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ERROR_CODES, HotwasmError, httpStatusOf, toHotwasmError } from "../../host/errors.js";

test("every code is in the README's table, or a docs page's, with its meaning", () => {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const docs = existsSync(join(root, "docs")) ? readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => join("docs", f)) : [];
  const text = ["README.md", ...docs].map((f) => readFileSync(join(root, f), "utf8")).join("\n");
  for (const [code, meaning] of Object.entries(ERROR_CODES)) expect(text).toContain(`| \`${code}\` | ${meaning} |`);
});

test("errors carry code, cause and a one-line form; unknown throws become E_INTERNAL", () => {
  const cause = new Error("boom");
  const err = new HotwasmError("E_INVALID_MODULE", "bad bytes", { cause });
  expect([err.code, err.cause, err.toLine(), err.name]).toEqual(["E_INVALID_MODULE", cause, "E_INVALID_MODULE: bad bytes", "HotwasmError"]);
  expect(toHotwasmError(new TypeError("x")).code).toBe("E_INTERNAL");
  expect([httpStatusOf("E_UNKNOWN_PATCH"), httpStatusOf("E_SIGNATURE_MISMATCH"), httpStatusOf("E_INVALID_CONFIG")]).toEqual([404, 422, 400]);
});
