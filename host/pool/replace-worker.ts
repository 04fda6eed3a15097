// Replacing a pool worker that did not reach a safe point in time: it is terminated (V8 stops it
// wherever it runs, Wasm loops included), its calls fail with E_WORKER_REPLACED, and a fresh worker
// of the same base is given the loads in force, in order, before it takes calls.

import { describeError, HotwasmError, isHotwasmError } from "../errors.js";
import type { EventHub } from "../model/events.js";
import { runSwap, type StageCommand, type SwapTimeouts } from "./run-swap.js";
import type { WorkerLink } from "./worker-link.js";

/** The phase-1 command of a load, kept for a replacement worker. */
export type LoadCommand = Extract<StageCommand, { op: "stage-load" }>;

/** What a replacement needs of its pool. */
export interface ReplaceContext {
  /** The pool's workers; a replaced one's slot gets its successor. */
  links: WorkerLink[];
  /** The loads in force, in load order. */
  inForce: ReadonlyMap<string, LoadCommand>;
  respawn: (index: number) => Promise<WorkerLink>;
  timeouts: SwapTimeouts;
  events: EventHub;
  /** Wires a new worker to the pool (its trap reports). */
  watch: (link: WorkerLink) => WorkerLink;
}

/** Replaces every stalled worker. One that cannot be made like the others is left failed, with why:
 * the pool then refuses every operation with that error rather than run unlike workers. */
export async function replaceStalled(ctx: ReplaceContext): Promise<void> {
  for (const [index, old] of ctx.links.entries()) {
    if (!old.stalled || old.failure) continue;
    const reason = `worker ${index} did not reach a safe point within ${ctx.timeouts.safepointMs} ms; it was stopped and replaced, and its calls abandoned`;
    await old.terminate(new HotwasmError("E_WORKER_REPLACED", reason, { details: { worker: index } }));
    let fresh: WorkerLink | null = null;
    try {
      fresh = await ctx.respawn(index);
      for (const [id, load] of ctx.inForce) {
        await runSwap([fresh], load, ctx.timeouts, { staged: () => {}, committed: () => {} }).catch((err: unknown) => {
          throw new HotwasmError("E_WORKER_FAILED", `worker ${index} was replaced, but patch ${id} could not be applied to it again: ${describeError(err)}`, { cause: err, details: { worker: index } });
        });
      }
      ctx.links[index] = ctx.watch(fresh);
      ctx.events.emit({ type: "worker-replaced", worker: index, reason });
    } catch (err) {
      const failure = isHotwasmError(err) ? err : new HotwasmError("E_WORKER_FAILED", `worker ${index} could not be replaced: ${describeError(err)}`, { cause: err, details: { worker: index } });
      await fresh?.terminate(failure);
      old.failure = failure;
      ctx.events.emit({ type: "worker-replaced", worker: index, reason: `${reason}; ${failure.message}` });
    }
  }
}
