// Section ranges of a binary (what signatures are computed over) and appending a custom section.

import { expect, test } from "vitest";
import { HotwasmError } from "../../../host/errors.js";
import { customSection, readModule } from "../../../host/wasm/wasm-reader.js";
import { appendCustomSection, listSections } from "../../../host/wasm/wasm-sections.js";
import { fnPatch } from "../../helpers/wat.js";

test("sections tile the binary after the header; an appended custom section comes last with its payload", () => {
  const plain = fnPatch("f", "(result i32)", "(i32.const 1)");
  const bytes = appendCustomSection(plain, "hello", new Uint8Array([1, 2, 3]));
  const sections = listSections(bytes);
  expect(sections[0]!.start).toBe(8);
  for (let i = 1; i < sections.length; i++) expect(sections[i]!.start).toBe(sections[i - 1]!.end);
  const last = sections[sections.length - 1]!;
  expect([last.id, last.name, last.start, last.end]).toEqual([0, "hello", plain.length, bytes.length]);
  expect([...bytes.subarray(last.payload, last.end)]).toEqual([1, 2, 3]);
  expect(customSection(readModule(bytes), "hello")).toEqual(new Uint8Array([1, 2, 3]));
});

test("broken binaries are refused with E_INVALID_MODULE", () => {
  const plain = fnPatch("f", "(result i32)", "(i32.const 1)");
  for (const bytes of [new Uint8Array([0, 1, 2]), plain.subarray(0, plain.length - 1), new Uint8Array([...plain, 0, 0xff, 0xff, 0xff, 0xff, 0xff])]) {
    expect(() => listSections(bytes)).toThrow(HotwasmError);
    try {
      listSections(bytes);
    } catch (err) {
      expect((err as HotwasmError).code).toBe("E_INVALID_MODULE");
    }
  }
});
