// A zod schema for symbol maps read from JSON (a patch's section, a state directory's journal):
// parseSymbolMap's checks, a null-prototype map out, and its refusal as a zod issue.

import { z } from "zod";
import { isHotwasmError } from "../errors.js";
import { parseSymbolMap, type SymbolMap } from "./symbol-map.js";

/** A schema taking any value and giving a null-prototype SymbolMap, or an issue saying why not. */
export function zodSymbolMap(code: "E_INVALID_MODULE" | "E_STATE_CORRUPT") {
  return z.unknown().transform((value, ctx): SymbolMap => {
    try {
      return parseSymbolMap(value, "the map", code);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: isHotwasmError(err) ? err.message : String(err) });
      return z.NEVER;
    }
  });
}
