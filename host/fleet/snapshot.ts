// Reading the engine: one record with its revision (for compare-and-set), every record under a
// wildcard key, and a build's whole snapshot (spec, state, live hosts, statuses).

import type { KV } from "@nats-io/kv";
import type { z } from "zod";
import { HotwasmError, isHotwasmError } from "../errors.js";
import type { Snapshot } from "./decide.js";
import { engineCall, type FleetEngine } from "./engine.js";
import { LAYOUT, presenceKey, rolloutKey, specKey, statusKey } from "./layout.js";
import { parseRecord, presenceSchema, specSchema, stateSchema, statusSchema, type HostStatus, type RolloutSpec, type RolloutState } from "./records.js";

/** A record and the revision to compare-and-set against (0: the key never held a value). */
export interface Entry<T> {
  value: T | null;
  revision: number;
}

/** Reads `key` (a deleted key reads as null, with its revision). */
export async function readEntry<T>(kv: KV, key: string, schema: z.ZodType<T>): Promise<Entry<T>> {
  const entry = await engineCall(`read ${key}`, () => kv.get(key));
  if (!entry) return { value: null, revision: 0 };
  if (entry.operation !== "PUT") return { value: null, revision: entry.revision };
  return { value: parseRecord(schema, entry.value, key), revision: entry.revision };
}

/** Writes `key` only if it is still at `revision` (0: only if it holds nothing); E_FLEET_CONFLICT otherwise. Resolves to the new revision. */
export function writeEntry(kv: KV, key: string, value: Uint8Array, revision: number): Promise<number> {
  return engineCall(`write ${key}`, () => (revision === 0 ? kv.create(key, value) : kv.update(key, value, revision)));
}

/** The keys of `bucket` matching `filter` (one wildcard) that hold or held a value: one request, no consumer. */
export async function listKeys(engine: FleetEngine, bucket: string, filter: string): Promise<string[]> {
  const prefix = `$KV.${bucket}.`;
  const info = await engineCall(`list ${bucket} ${filter}`, () => engine.jsm.streams.info(`KV_${bucket}`, { subjects_filter: prefix + filter }));
  return Object.keys(info.state.subjects ?? {}).map((s) => s.slice(prefix.length)).sort();
}

/**
 * The last value of every key of `bucket` matching `filter`, by key; deleted and malformed ones left
 * out. The keys are listed, then read one by one (a few at a time): no consumer is created, which on
 * a cluster would be a write of the cluster's own metadata.
 */
export async function readAll<T>(engine: FleetEngine, bucket: string, filter: string, schema: z.ZodType<T>, onBad?: (key: string, err: unknown) => void): Promise<Map<string, T>> {
  const kv = bucket === LAYOUT.fleet ? engine.fleet : bucket === LAYOUT.status ? engine.status : engine.presence;
  const keys = await listKeys(engine, bucket, filter);
  const out = new Map<string, T>();
  for (let i = 0; i < keys.length; i += READ_BATCH) {
    await Promise.all(keys.slice(i, i + READ_BATCH).map(async (key) => {
      try {
        const entry = await readEntry(kv, key, schema);
        // Listed but not found: a replica catching up after an outage answered. Decide nothing on such a read.
        if (entry.revision === 0) throw new HotwasmError("E_FLEET_UNREACHABLE", `${bucket} lists ${key} but did not return it (the engine is recovering)`);
        if (entry.value !== null) out.set(key, entry.value);
      } catch (err) {
        if (isHotwasmError(err) && err.code === "E_FLEET_CORRUPT") onBad?.(key, err);
        else throw err;
      }
    }));
  }
  return out;
}

/** Reads made at once by readAll. */
const READ_BATCH = 16;

/** Everything the controller decides on for `build`, with the state's revision; the hosts are read only when `hosts` is true. */
export async function readSnapshot(engine: FleetEngine, build: string, onBad?: (key: string, err: unknown) => void, hosts = true): Promise<Snapshot & { revision: number }> {
  const [spec, state] = await Promise.all([readEntry<RolloutSpec>(engine.fleet, specKey(build), specSchema), readEntry<RolloutState>(engine.fleet, rolloutKey(build), stateSchema)]);
  if (!hosts) return { spec: spec.value, state: state.value, live: [], statuses: new Map(), revision: state.revision };
  const [presence, statuses] = await Promise.all([
    readAll(engine, LAYOUT.presence, presenceKey(build, "*"), presenceSchema, onBad),
    readAll(engine, LAYOUT.status, statusKey(build, "*"), statusSchema, onBad),
  ]);
  const live = [...presence.values()].filter((p) => p.build_id === build).map((p) => p.host_id).sort();
  const byHost = new Map<string, HostStatus>();
  for (const s of statuses.values()) if (s.build_id === build) byHost.set(s.host_id, s);
  return { spec: spec.value, state: state.value, live, statuses: byHost, revision: state.revision };
}

/** The builds that have a rollout spec. */
export async function listSpecBuilds(engine: FleetEngine): Promise<string[]> {
  return (await listKeys(engine, LAYOUT.fleet, "spec.*")).map((key) => key.slice("spec.".length));
}
