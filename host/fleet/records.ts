// The records the fleet keeps in the engine, as zod schemas: a patch item, the operator's rollout
// spec, the controller's rollout state, a host's status and presence, and the audit records.
// Everything read from the engine is parsed here; a malformed record is E_FLEET_CORRUPT.

import { z } from "zod";
import { HotwasmError } from "../errors.js";
import { BUILD_ID, HOST_ID, ROLLOUT_ID, SHA256 } from "./layout.js";

const symbolMap = z.record(z.string().min(1).max(1024), z.string().min(1).max(1024));
const hostId = z.string().regex(HOST_ID);
const ms = z.number().int().min(0);

/** A patch as the fleet wants it loaded: its bytes by sha256, its config and trap policy. */
export const patchItemSchema = z.object({
  sha256: z.string().regex(SHA256),
  replace_config: symbolMap.optional(),
  ref_config: symbolMap.optional(),
  policy: z.object({ max_traps: z.number().int().min(0).max(1_000_000), window_ms: z.number().int().min(1).max(7 * 24 * 3600 * 1000) }).optional(),
});
export type PatchItem = z.infer<typeof patchItemSchema>;

/** One step of a rollout: the share of live hosts admitted, and how long to hold once they all acked (null: until promoted). */
export const stepSchema = z.object({ pct: z.number().int().min(1).max(100), hold_ms: ms.nullable() });
export type RolloutStep = z.infer<typeof stepSchema>;

const stepsSchema = z.array(stepSchema).min(1).max(20)
  .refine((steps) => steps.every((s, i) => i === 0 || s.pct > steps[i - 1]!.pct), "step shares must increase")
  .refine((steps) => steps[steps.length - 1]!.pct === 100, "the last step must be 100 %");

/** The operator's word for a build: what to roll out and how (key `spec.<build>`). */
export const specSchema = z.object({
  v: z.literal(1),
  build_id: z.string().regex(BUILD_ID),
  rollout_id: z.string().regex(ROLLOUT_ID),
  patch: patchItemSchema,
  steps: stepsSchema,
  /** Traps tolerated over the whole fleet before it is rolled back (default 0: the first one). */
  max_traps: z.number().int().min(0),
  /** Longest wait for a step's admitted hosts to ack (or a rollback's hosts to confirm). */
  step_deadline_ms: z.number().int().min(1),
  created_at: z.string(),
  /** The operator asked for a rollback. */
  abort: z.object({ at: z.string(), reason: z.string().max(1024) }).optional(),
  /** The operator promoted the rollout past this step's hold. */
  promote: z.number().int().min(0).optional(),
});
export type RolloutSpec = z.infer<typeof specSchema>;

/** The phases of a rollout. */
export const PHASES = ["pending", "canary", "waves", "done", "rolling_back", "rolled_back"] as const;
export type Phase = (typeof PHASES)[number];

/** A host's failure as the controller recorded it. */
const failureSchema = z.object({ host_id: hostId, result: z.string(), code: z.string().optional(), message: z.string().optional() });

/** The controller's state of a build's rollout (key `rollout.<build>`, written only with compare-and-set). */
export const stateSchema = z.object({
  v: z.literal(1),
  build_id: z.string().regex(BUILD_ID),
  rollout_id: z.string().regex(ROLLOUT_ID),
  /** Counts up by one at every transition, over all rollouts of the build. */
  gen: z.number().int().min(1),
  phase: z.enum(PHASES),
  /** The phase before the last transition (null: the first rollout of the build). */
  from: z.enum(PHASES).nullable(),
  /** The step in force (0: the canary). */
  step: z.number().int().min(0),
  steps: stepsSchema,
  max_traps: z.number().int().min(0),
  step_deadline_ms: z.number().int().min(1),
  /** The patches in force before the rollout, and after it. */
  baseline: z.array(patchItemSchema),
  target: z.array(patchItemSchema),
  /** Hosts that get the target before the rollout is done, in admission order. */
  admitted: z.array(hostId),
  phase_since: ms,
  /** When every admitted host had acked this step (the hold counts from here). */
  converged_at: ms.nullable(),
  reason: z.string().nullable(),
  failures: z.array(failureSchema),
  /** Hosts that had not confirmed the baseline when a rollback's deadline passed. */
  unconfirmed: z.array(hostId).optional(),
  /** The controller acting on this rollout, until when (ms since the epoch); null in a final phase. */
  lease: z.object({ holder: z.string().min(1).max(256), until: ms }).nullable(),
  updated_at: ms,
});
export type RolloutState = z.infer<typeof stateSchema>;

/** What a host reports (key `status.<build>.<host>`): ack echoes the generation it converged to. */
export const statusSchema = z.object({
  v: z.literal(1),
  host_id: hostId,
  build_id: z.string().regex(BUILD_ID),
  rollout_id: z.string().regex(ROLLOUT_ID).nullable(),
  gen: z.number().int().min(0),
  result: z.enum(["ack", "nack", "trap"]),
  /** sha256 of the fleet's patches in force on the host, in load order. */
  applied: z.array(z.string().regex(SHA256)),
  code: z.string().optional(),
  message: z.string().optional(),
  /** Failures of the rollout's new patches on this host, and the time of the last one. */
  traps: z.number().int().min(0),
  last_trap_at: ms.optional(),
  at: ms,
});
export type HostStatus = z.infer<typeof statusSchema>;

/** A host's presence (key `<build>.<host>` of a bucket with a TTL): it is live while this is refreshed. */
export const presenceSchema = z.object({
  v: z.literal(1),
  host_id: hostId,
  build_id: z.string().regex(BUILD_ID),
  /** A random id per agent: tells two processes using one name apart. */
  instance: z.string(),
  machine: z.string(),
  pid: z.number().int(),
  kind: z.enum(["host", "pool"]),
  started_at: ms,
  at: ms,
});
export type Presence = z.infer<typeof presenceSchema>;

/** Parses a record read from the engine; E_FLEET_CORRUPT names the key and the first problem. */
export function parseRecord<T>(schema: z.ZodType<T>, bytes: Uint8Array, where: string): T {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new HotwasmError("E_FLEET_CORRUPT", `${where} is not JSON`, { cause });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HotwasmError("E_FLEET_CORRUPT", `${where} is malformed (${issue?.path.join(".") || "record"}: ${issue?.message ?? "invalid"})`);
  }
  return parsed.data;
}

/** A record as stored: JSON bytes. */
export function encodeRecord(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** The shas of `items`, in order. */
export function shasOf(items: readonly PatchItem[]): string[] {
  return items.map((i) => i.sha256);
}

/** True when two sha lists are equal, in order. */
export function sameShas(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
