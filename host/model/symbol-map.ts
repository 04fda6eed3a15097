// Symbol maps (replace_config, ref_config) as null-prototype objects: every name is a plain
// name ("__proto__", "constructor" and "toString" included), never a way into Object.prototype.
// Parsing bounds the number of entries and the length of names, and refuses control characters.

import { HotwasmError } from "../errors.js";

/** A map from a patch symbol to a base symbol (a null-prototype object; read it with `ownValue`). */
export type SymbolMap = Record<string, string>;

/** Most entries a symbol map may have. */
export const MAX_MAP_ENTRIES = 1024;
/** Longest symbol name, in UTF-16 units. */
export const MAX_NAME_LENGTH = 1024;

/** A null-prototype symbol map with `entries`. */
export function symbolMapOf(entries: Iterable<readonly [string, string]>): SymbolMap {
  const map = Object.create(null) as SymbolMap;
  // Invariant: with no prototype there is no __proto__ setter, so every key becomes an own property.
  for (const [key, value] of entries) map[key] = value;
  return map;
}

/** A null-prototype copy of `map` (own entries only). */
export function copySymbolMap(map: SymbolMap | undefined | null): SymbolMap {
  return symbolMapOf(map ? Object.entries(map) : []);
}

/** `object[key]` if `key` is an own property of `object`, else undefined (never the prototype's). */
export function ownValue<T>(object: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  return object !== null && object !== undefined && Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

/** True when `text` holds a C0 or C1 control character, or a bidirectional override. */
export function hasControlCharacters(text: string): boolean {
  return CONTROL.test(text);
}

/** Checks a map from JSON or an API caller: a plain object of at most MAX_MAP_ENTRIES printable
 * names. Throws E_TOO_LARGE (too many or too long) or `code` (wrong shape); returns a null-prototype copy. */
export function parseSymbolMap(value: unknown, where: string, code: "E_INVALID_CONFIG" | "E_INVALID_MODULE" | "E_STATE_CORRUPT" = "E_INVALID_CONFIG"): SymbolMap {
  const proto = typeof value === "object" && value !== null ? Object.getPrototypeOf(value) : undefined;
  if (proto !== Object.prototype && proto !== null) throw new HotwasmError(code, `${where} must be an object of "name": "symbol" pairs`);
  const keys = Object.keys(value as object);
  if (keys.length > MAX_MAP_ENTRIES) {
    throw new HotwasmError("E_TOO_LARGE", `${where} has ${keys.length} entries; at most ${MAX_MAP_ENTRIES} are accepted`);
  }
  const map = Object.create(null) as SymbolMap;
  for (const key of keys) {
    const symbol = (value as Record<string, unknown>)[key];
    checkName(key, `${where} key`, code);
    if (typeof symbol !== "string") throw new HotwasmError(code, `${where}.${clip(key)} must be a string`);
    checkName(symbol, `${where}.${clip(key)}`, code);
    map[key] = symbol;
  }
  return map;
}

function checkName(name: string, where: string, code: "E_INVALID_CONFIG" | "E_INVALID_MODULE" | "E_STATE_CORRUPT"): void {
  if (name.length === 0) throw new HotwasmError(code, `${where} is empty`);
  if (name.length > MAX_NAME_LENGTH) throw new HotwasmError("E_TOO_LARGE", `${where} has ${name.length} characters; at most ${MAX_NAME_LENGTH} are accepted`);
  if (hasControlCharacters(name)) throw new HotwasmError(code, `${where} holds control characters`);
}

/** A name cut short for a message. */
function clip(name: string): string {
  return JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
}

// C0, DEL, C1, and the bidirectional embeddings, overrides and isolates.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
