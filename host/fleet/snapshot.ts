// Reading the engine: one record with its revision (for compare-and-set), every record under a
// wildcard key, and a build's whole snapshot (spec, state, live hosts, statuses).

import { DeliverPolicy } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { z } from "zod";
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

/**
 * The last value of every key of `bucket` matching `filter` (one wildcard), by key; deleted and
 * malformed ones left out. One ordered consumer delivering the last message per key, read up to the
 * stream's end as it was when asked (the client's own history() can run on while writes go on).
 */
export async function readAll<T>(engine: FleetEngine, bucket: string, filter: string, schema: z.ZodType<T>, onBad?: (key: string, err: unknown) => void): Promise<Map<string, T>> {
  const stream = `KV_${bucket}`;
  const prefix = `$KV.${bucket}.`;
  const last = new Map<string, { op: string; value: Uint8Array }>();
  await engineCall(`read ${bucket} ${filter}`, async () => {
    const info = await engine.jsm.streams.info(stream, { subjects_filter: prefix + filter });
    const keys = Object.keys(info.state.subjects ?? {}).length;
    if (keys === 0) return;
    const end = info.state.last_seq;
    const consumer = await engine.js.consumers.get(stream, { filter_subjects: prefix + filter, deliver_policy: DeliverPolicy.LastPerSubject });
    let done = false;
    while (!done) {
      let got = 0;
      for await (const m of await consumer.fetch({ max_messages: Math.max(keys - last.size, 1), expires: 2000 })) {
        got++;
        last.set(m.subject.slice(prefix.length), { op: m.headers?.get("KV-Operation") || "PUT", value: m.data });
        if (m.seq >= end || m.info.pending === 0) done = true;
      }
      if (got === 0 || last.size >= keys) done = true;
    }
    await consumer.delete().catch(() => undefined);
  });
  const out = new Map<string, T>();
  for (const [key, e] of last) {
    if (e.op !== "PUT") continue;
    try {
      out.set(key, parseRecord(schema, e.value, key));
    } catch (err) {
      onBad?.(key, err);
    }
  }
  return out;
}

/** Everything the controller decides on for `build`, with the state's revision. */
export async function readSnapshot(engine: FleetEngine, build: string, onBad?: (key: string, err: unknown) => void): Promise<Snapshot & { revision: number }> {
  const [spec, state] = await Promise.all([readEntry<RolloutSpec>(engine.fleet, specKey(build), specSchema), readEntry<RolloutState>(engine.fleet, rolloutKey(build), stateSchema)]);
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
  const builds: string[] = [];
  await engineCall("list the rollout specs", async () => {
    for await (const key of await engine.fleet.keys("spec.*")) builds.push(key.slice("spec.".length));
  });
  return builds.sort();
}
