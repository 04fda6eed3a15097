// A pool reports a swap with the Host's event types: its own lifecycle events once (load-begin,
// commit or revert, rollback, loaded, ...), and every worker's hooks tagged with `worker`.

import type { HotwasmError } from "../errors.js";
import type { EventHub, HostEvent, HostEventInput } from "../model/events.js";
import type { WorkerReply } from "./run-swap.js";

/** Reports the before-hooks the workers ran in phase 1. */
export function emitStaged(events: EventHub, replies: WorkerReply[]): void {
  for (const r of replies) forwardHooks(events, r);
}

/** Reports phase 2: the pool's commit (or revert), the workers' after-hooks, and a rollback if any failed. */
export function emitCommitted(events: EventHub, id: string, replies: WorkerReply[], failure: HotwasmError | null): void {
  if (!failure) {
    const switched = replies[0]?.reply?.events.find((e) => e.type === "commit" || e.type === "revert");
    if (switched?.type === "commit" || switched?.type === "revert") events.emit({ type: switched.type, hp_id: id, targets: switched.targets });
  }
  for (const r of replies) forwardHooks(events, r);
  if (failure) events.emit({ type: "rollback", hp_id: id, reason: failure.message });
}

function forwardHooks(events: EventHub, r: WorkerReply): void {
  for (const e of r.reply?.events ?? []) {
    if (e.type !== "hook") continue;
    const { seq: _seq, time: _time, ...rest } = e as HostEvent & { type: "hook" };
    const tagged = { ...rest, worker: r.index };
    events.emit(tagged as HostEventInput);
  }
}
