// The load config (hotgo's Config plus `hp_bytes`): validation and the effective config after
// a patch's embedded defaults are applied.

import { z } from "zod";
import { HotwasmError } from "../errors.js";
import type { PatchMeta } from "./patch-meta.js";
import { copySymbolMap, hasControlCharacters, parseSymbolMap, type SymbolMap } from "./symbol-map.js";

export type { SymbolMap } from "./symbol-map.js";

/** What `loadHP` takes: hotgo's `{ hp_file, replace_config, ref_config }`, or bytes in hand. */
export interface LoadConfig {
  hp_file?: string;
  hp_bytes?: Uint8Array | ArrayBuffer;
  replace_config?: SymbolMap;
  ref_config?: SymbolMap;
  /** Trap containment, opt-in: roll the patch back when its code fails more than `max_traps` times within `window_ms`. */
  policy?: TrapPolicy;
}

/** A patch's trap containment policy. */
export interface TrapPolicy {
  max_traps: number;
  window_ms: number;
}

/** The config a loaded patch runs with, as `getHPInfo` reports it (hotgo's Config). */
export interface EffectiveConfig {
  hp_file: string;
  replace_config: SymbolMap;
  ref_config: SymbolMap;
}

const loadConfigSchema = z
  .strictObject({
    hp_file: z.string().min(1).max(4096).refine((f) => !hasControlCharacters(f), "hp_file holds control characters").optional(),
    hp_bytes: z.union([z.instanceof(Uint8Array), z.instanceof(ArrayBuffer)]).optional(),
    // Checked by parseSymbolMap (zod's records would drop a "__proto__" key without a word).
    replace_config: z.unknown().optional(),
    ref_config: z.unknown().optional(),
    policy: z.strictObject({
      max_traps: z.number().int().min(0).max(1_000_000),
      window_ms: z.number().int().min(1).max(7 * 24 * 3600 * 1000),
    }).optional(),
  })
  .refine((c) => (c.hp_file === undefined) !== (c.hp_bytes === undefined), {
    message: "give exactly one of hp_file and hp_bytes",
  });

/** Validates a load config; throws E_INVALID_CONFIG naming the first problem (E_TOO_LARGE for a map over the bounds). */
export function parseLoadConfig(input: unknown): LoadConfig {
  const parsed = loadConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    throw new HotwasmError("E_INVALID_CONFIG", `invalid load config (${where}${issue?.message ?? "invalid"})`, {
      cause: parsed.error,
    });
  }
  const { replace_config, ref_config, ...rest } = parsed.data;
  const config: LoadConfig = rest;
  if (replace_config !== undefined) config.replace_config = parseSymbolMap(replace_config, "replace_config");
  if (ref_config !== undefined) config.ref_config = parseSymbolMap(ref_config, "ref_config");
  return config;
}

/** The config in force: explicit maps win over the patch's embedded defaults, map by map. */
export function effectiveConfig(config: LoadConfig, meta: PatchMeta | null): EffectiveConfig {
  return {
    hp_file: config.hp_file ?? "",
    replace_config: copySymbolMap(config.replace_config ?? meta?.replace_config),
    ref_config: copySymbolMap(config.ref_config ?? meta?.ref_config),
  };
}

/** Canonical JSON of the maps (sorted keys), part of a patch's identity. */
export function canonicalMaps(config: EffectiveConfig): string {
  const sorted = (m: SymbolMap) => Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify({ replace_config: sorted(config.replace_config), ref_config: sorted(config.ref_config) });
}
