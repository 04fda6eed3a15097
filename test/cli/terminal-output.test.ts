// What the CLI prints from a server or a patch reaches the terminal with its control characters
// escaped (issue 14, attack 11): `hotwasm info`'s table and JSON, whatever a server answers.

import { expect, test } from "vitest";
import { formatInfo } from "../../cli/commands/info.js";
import type { HPInfo } from "../../host/lifecycle/hp-info.js";
import { printable, printableJson } from "../../host/model/printable.js";

const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

test("info's table escapes every field a server sent; one line per field, even with a newline in a name", () => {
  const evil = (s: string) => `\u001b[2K\r\u001b[32m${s}\u001b[0m\u009b31m\u202e\n`;
  const info = [{
    hp_id: evil("id"), config: { hp_file: evil("hp.wasm (signed)"), replace_config: {}, ref_config: {} },
    replaces: [{ symbol: evil("main.func1"), export: evil("NewFunc1"), in_force: true }], refs: [{ name: evil("Global"), symbol: evil("g") }],
    order: 1, loaded_at: evil("now"), sha256: "0", size: 1, state: "rolled_back", rolled_back: { reason: evil("why"), at: evil("then") },
  }] as unknown as HPInfo[];
  const text = formatInfo(info);
  expect(RAW.test(text.replace(/\n/g, ""))).toBe(false);
  expect(text.split("\n")).toHaveLength(5);
  expect(text.split("\n")[1]).toBe("  file     \\x1b[2K\\x0d\\x1b[32mhp.wasm (signed)\\x1b[0m\\x9b31m\\u202e\\x0a, 1 bytes, loaded \\x1b[2K\\x0d\\x1b[32mnow\\x1b[0m\\x9b31m\\u202e\\x0a");
  const json = printableJson(JSON.stringify(info, null, 2));
  expect(RAW.test(json.replace(/\n/g, ""))).toBe(false);
  expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(info)));
});

test("printable keeps text without control characters as it is", () => {
  expect(printable("E_UNKNOWN_SYMBOL: no symbol \"main.fun1\" (did you mean ü𝄞?)")).toBe("E_UNKNOWN_SYMBOL: no symbol \"main.fun1\" (did you mean ü𝄞?)");
  expect(printable("a\nb\tc", true)).toBe("a\nb\tc");
  expect(printable("a\nb")).toBe("a\\x0ab");
});
