// The audit stream: one message per transition (by the controller) and per host result (by the
// agents), each with a message id the engine deduplicates, so that a retry records nothing twice.

import { DeliverPolicy } from "@nats-io/jetstream";
import { engineCall, type FleetEngine } from "./engine.js";
import { LAYOUT, hostResultSubject, transitionSubject } from "./layout.js";
import { encodeRecord, type Phase } from "./records.js";

/** A transition of a rollout. */
export interface TransitionRecord {
  kind: "transition";
  build_id: string;
  rollout_id: string;
  gen: number;
  from: Phase | null;
  to: Phase;
  step: number;
  admitted: number;
  reason: string | null;
  controller: string;
  at: number;
}

/** A host's result for a generation of a rollout. */
export interface HostResultRecord {
  kind: "host";
  build_id: string;
  rollout_id: string | null;
  gen: number;
  host_id: string;
  result: "ack" | "nack" | "trap";
  applied: string[];
  code?: string;
  message?: string;
  at: number;
}

export type AuditRecord = TransitionRecord | HostResultRecord;

/** Records a transition once (its id: build, rollout and generation). */
export async function publishTransition(engine: FleetEngine, record: TransitionRecord): Promise<void> {
  const msgID = `${record.build_id}:${record.rollout_id}:${record.gen}`;
  await engineCall("record a transition in the audit stream", () => engine.js.publish(transitionSubject(record.build_id), encodeRecord(record), { msgID }));
}

/** Records a host's result once per generation and outcome. */
export async function publishHostResult(engine: FleetEngine, record: HostResultRecord): Promise<void> {
  const msgID = `${record.build_id}:${record.rollout_id ?? "-"}:${record.gen}:${record.host_id}:${record.result}:${record.code ?? ""}`;
  await engineCall("record a host result in the audit stream", () => engine.js.publish(hostResultSubject(record.build_id, record.host_id), encodeRecord(record), { msgID }));
}

/** The generation of the last recorded transition of `build` (0: none). */
export async function lastRecordedGen(engine: FleetEngine, build: string): Promise<number> {
  const msg = await engineCall("read the audit stream", () => engine.jsm.streams.getMessage(LAYOUT.audit, { last_by_subj: transitionSubject(build) }));
  if (!msg) return 0;
  try {
    return (msg.json() as TransitionRecord).gen;
  } catch {
    return 0;
  }
}

/** Every audit record of `build`, oldest first. */
export async function readAudit(engine: FleetEngine, build: string): Promise<AuditRecord[]> {
  return engineCall("read the audit stream", async () => {
    const info = await engine.jsm.streams.info(LAYOUT.audit, { subjects_filter: `hw.audit.${build}.>` });
    const expected = Object.values(info.state.subjects ?? {}).reduce((n, c) => n + c, 0);
    const out: AuditRecord[] = [];
    if (expected === 0) return out;
    const consumer = await engine.js.consumers.get(LAYOUT.audit, { filter_subjects: `hw.audit.${build}.>`, deliver_policy: DeliverPolicy.All });
    while (out.length < expected) {
      let got = 0;
      for await (const m of await consumer.fetch({ max_messages: 256, expires: 2000 })) {
        out.push(m.json() as AuditRecord);
        got++;
        if (m.info.pending === 0) break;
      }
      if (got === 0) break;
    }
    await consumer.delete().catch(() => undefined);
    return out;
  });
}
