// Reading journal.json tolerantly: the list must be JSON of the right shape, but each entry is
// read on its own, so one damaged or newer entry costs that patch only (reported, never fatal),
// and keys this hotwasm does not know are ignored with a note.

import { z } from "zod";
import type { StoredPatch } from "../lifecycle/patch-store.js";
import { zodSymbolMap } from "../model/symbol-map-schema.js";

/** An entry that could not be read: where it was, what it named, why. */
export interface UnreadableEntry {
  index: number;
  hp_id: string | null;
  sha256: string | null;
  reason: string;
}

/** A list read: its patches in order, the entries it could not read, notes on ignored keys. */
export type ParsedJournal =
  | { ok: true; patches: StoredPatch[]; unreadable: UnreadableEntry[]; notes: string[] }
  | { ok: false; reason: string };

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const entrySchema = z.object({
  hp_id: hex64,
  sha256: hex64,
  config: z.object({ hp_file: z.string().max(4096), replace_config: zodSymbolMap("E_STATE_CORRUPT"), ref_config: zodSymbolMap("E_STATE_CORRUPT") }),
  policy: z.object({ max_traps: z.number().int().min(0), window_ms: z.number().int().min(1) }).optional(),
});
const KNOWN = new Map([["", ["hp_id", "sha256", "config", "policy"]], ["config", ["hp_file", "replace_config", "ref_config"]], ["policy", ["max_traps", "window_ms"]]]);
const listSchema = z.object({ hotwasm_state: z.literal(1), patches: z.array(z.unknown()) });

/** Parses the bytes of journal.json. */
export function parseJournal(bytes: Uint8Array): ParsedJournal {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (err) {
    return { ok: false, reason: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  const list = listSchema.safeParse(json);
  if (!list.success) {
    const issue = list.error.issues[0];
    return { ok: false, reason: `${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}` };
  }
  const patches: StoredPatch[] = [];
  const unreadable: UnreadableEntry[] = [];
  const notes: string[] = [];
  list.data.patches.forEach((raw, index) => {
    const entry = entrySchema.safeParse(raw);
    if (!entry.success) {
      const issue = entry.error.issues[0];
      const field = (key: string) => {
        const value = typeof raw === "object" && raw !== null && Object.prototype.hasOwnProperty.call(raw, key) ? (raw as Record<string, unknown>)[key] : null;
        return typeof value === "string" && /^[0-9a-f]{64}$/.test(value) ? value : null;
      };
      unreadable.push({ index, hp_id: field("hp_id"), sha256: field("sha256"), reason: `entry ${index}: ${issue?.path.join(".") || "(entry)"}: ${issue?.message ?? "invalid"}` });
      return;
    }
    const ignored = unknownKeys(raw);
    if (ignored.length > 0) notes.push(`journal entry ${index} (${entry.data.hp_id}) has keys this hotwasm does not know, ignored: ${ignored.join(", ")}`);
    const { policy, ...rest } = entry.data;
    patches.push({ ...rest, ...(policy ? { policy } : {}) });
  });
  return { ok: true, patches, unreadable, notes };
}

function unknownKeys(raw: unknown): string[] {
  const out: string[] = [];
  for (const [where, keys] of KNOWN) {
    const value = where === "" ? raw : (raw as Record<string, unknown>)[where];
    if (typeof value !== "object" || value === null) continue;
    for (const key of Object.keys(value)) if (!keys.includes(key)) out.push(JSON.stringify(where ? `${where}.${key}` : key));
  }
  return out;
}
