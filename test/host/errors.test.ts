// HotwasmError keeps its code and cause. (docs/errors.md's table of every code is checked by
// test/docs/error-codes.test.ts.)

import { expect, test } from "vitest";
import { HotwasmError, httpStatusOf, toHotwasmError } from "../../host/errors.js";

test("errors carry code, cause and a one-line form; unknown throws become E_INTERNAL", () => {
  const cause = new Error("boom");
  const err = new HotwasmError("E_INVALID_MODULE", "bad bytes", { cause });
  expect([err.code, err.cause, err.toLine(), err.name]).toEqual(["E_INVALID_MODULE", cause, "E_INVALID_MODULE: bad bytes", "HotwasmError"]);
  expect(toHotwasmError(new TypeError("x")).code).toBe("E_INTERNAL");
  expect([httpStatusOf("E_UNKNOWN_PATCH"), httpStatusOf("E_SIGNATURE_MISMATCH"), httpStatusOf("E_INVALID_CONFIG")]).toEqual([404, 422, 400]);
});
