// One stop-the-world operation over every worker of a pool, in two phases.
//  1. stage: every worker checks, instantiates and runs its before-hook, switching nothing; if
//     any fails, every worker discards it and the error names the worker.
//  2. stop, commit, release: every worker parks at its next safe point; only when all are parked
//     does any commit; if a commit fails, every worker that committed rolls back; then all resume.
// No worker runs a call between "stop" and "release", so no worker starts a call on the old code
// after another has started one on the new.

import { HotwasmError } from "../errors.js";
import type { HPInfo } from "../core/host.js";
import { fromWire, type Command, type Reply } from "./protocol.js";
import type { WorkerLink } from "./worker-link.js";

/** The phase-1 command of an operation. */
export type StageCommand =
  | Omit<Extract<Command, { op: "stage-load" }>, "token">
  | Omit<Extract<Command, { op: "stage-unload" }>, "token">
  | Omit<Extract<Command, { op: "stage-revoke" }>, "token">;

/** One worker's answer, or why there is none. */
export interface WorkerReply {
  index: number;
  reply: Reply | null;
  error: HotwasmError | null;
}

/** Timing of one swap, in ms: from "stop" until all parked, the longest time a worker was parked, stop to all released. */
export interface SwapStats {
  workers: number;
  stopMs: number;
  pauseMs: number;
  totalMs: number;
}

/** What a finished swap reports. */
export interface SwapOutcome {
  commits: WorkerReply[];
  /** The patches in force afterwards, as worker 0 reports them. */
  info: HPInfo[] | null;
  stats: SwapStats;
}

/** Told what the workers did, as their replies arrive. */
export interface SwapObserver {
  staged(replies: WorkerReply[]): void;
  committed(replies: WorkerReply[], failure: HotwasmError | null): void;
}

let nextToken = 1;

/** How long a swap waits for each worker's reply: to reach a safe point, plus, where a step runs
 * patch code (the stage's before-hook, the commit's after-hook), the patch code's own bound. */
export interface SwapTimeouts {
  safepointMs: number;
  patchCodeMs: number;
}

/** Runs `stage` on every worker, then switches all of them at once, or none. A worker that does not
 * answer in time is marked `stalled` (the pool replaces it). */
export async function runSwap(links: WorkerLink[], stage: StageCommand, timeouts: SwapTimeouts, observer: SwapObserver): Promise<SwapOutcome> {
  const token = nextToken++;
  const timeoutMs = timeouts.safepointMs;
  const withCode = timeouts.patchCodeMs;
  const staged = await sendAll(links, { ...stage, token } as Command, timeoutMs, withCode);
  observer.staged(staged);
  const stageFailure = failureOf(staged);
  if (stageFailure) {
    for (const l of links) l.post({ op: "discard", token });
    throw stageFailure;
  }

  const start = performance.now();
  const stopped = await sendAll(links, { op: "stop", token }, timeoutMs);
  const stopFailure = failureOf(stopped);
  if (stopFailure) {
    for (const l of links) { l.post({ op: "discard", token }); l.post({ op: "release", token }); }
    throw stopFailure;
  }
  const allParked = performance.now();
  // Every worker is parked, so the commit is taken at once: its wait is HPAfterLoad's bound and the usual margin.
  const commits = await sendAll(links, { op: "commit", token }, timeoutMs + withCode);
  const commitFailure = failureOf(commits);
  if (commitFailure) await sendAll(links, { op: "rollback", token, reason: commitFailure.message }, timeoutMs);
  observer.committed(commits, commitFailure);
  const released = await sendAll(links, { op: "release", token }, timeoutMs);
  const end = performance.now();
  const failure = commitFailure ?? failureOf(released);
  if (failure) throw failure;
  const stats = {
    workers: links.length,
    stopMs: allParked - start,
    pauseMs: Math.max(...released.map((r) => r.reply?.parkedMs ?? 0)),
    totalMs: end - start,
  };
  return { commits, info: released[0]?.reply?.info ?? null, stats };
}

async function sendAll(links: WorkerLink[], cmd: Command, timeoutMs: number, codeMs = 0): Promise<WorkerReply[]> {
  return Promise.all(links.map((l) => l.send(cmd, timeoutMs, codeMs).then(
    (reply) => ({ index: l.index, reply, error: reply.error ? fromWire(l.index, reply.error, "E_INTERNAL") : null }),
    (error: HotwasmError) => ({ index: l.index, reply: null, error }),
  )));
}

/** The failure of the lowest-numbered failing worker, with every failure in `details.workers`. */
function failureOf(replies: WorkerReply[]): HotwasmError | null {
  const failed = replies.filter((r): r is WorkerReply & { error: HotwasmError } => r.error !== null);
  const first = failed[0];
  if (!first) return null;
  if (failed.length === 1) return first.error;
  const more = failed.slice(1).map((f) => `worker ${f.index} ${f.error.code}`).join(", ");
  return new HotwasmError(first.error.code, `${first.error.message} (and ${failed.length - 1} more: ${more})`, {
    details: { ...first.error.details, workers: failed.map((f) => ({ worker: f.index, code: f.error.code, message: f.error.message })) },
  });
}
