// The Host's operations run one at a time, in the order asked: asynchronous ones queue, a
// synchronous one runs only when nothing else does (E_BUSY otherwise). Every HotwasmError that
// leaves an operation is reported once as a "refused" event.

import { HotwasmError, isHotwasmError } from "./errors.js";
import type { EventHub } from "./events.js";

/** What an operation does, for its "refused" event. */
export type OpAction = "load" | "unload";

/** Serialises a host's operations. */
export class OpQueue {
  private queue: Promise<unknown> = Promise.resolve();
  /** Operations queued or running; a synchronous operation needs none. */
  private pending = 0;
  private busy = false;

  constructor(private readonly events: EventHub) {}

  /** True when no operation is queued or running. */
  get idle(): boolean {
    return this.pending === 0 && !this.busy;
  }

  /** Queues `op` behind every operation asked for before it. */
  serialise<T>(action: OpAction, id: string | null, op: () => Promise<T>, restored = false): Promise<T> {
    this.pending++;
    const run = async () => {
      try {
        return await this.guard(action, id, op, restored);
      } finally {
        this.pending--;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Runs `op` now; refuses with E_BUSY while another operation is queued or running. */
  exclusive<T>(action: OpAction, id: string | null, op: () => T): T {
    if (!this.idle) throw new HotwasmError("E_BUSY", `another load or unload is running; ${action} it again after it ends`);
    this.busy = true;
    try {
      return this.guard(action, id, op, false);
    } finally {
      this.busy = false;
    }
  }

  /** Runs `op`, emitting a "refused" event naming `id` for a HotwasmError that leaves it (once). */
  guard<T>(action: OpAction, id: string | null, op: () => T, restored: boolean): T {
    const report = (err: unknown) => {
      if (isHotwasmError(err) && !reported.has(err)) {
        reported.add(err);
        const hpId = id ?? (typeof err.details.hp_id === "string" ? err.details.hp_id : null);
        this.events.emit({ type: "refused", action, hp_id: hpId, code: err.code, message: err.message, ...(restored ? { restored: true as const } : {}) });
      }
      throw err;
    };
    try {
      const out = op();
      return (out instanceof Promise ? out.catch(report) : out) as T;
    } catch (err) {
      return report(err);
    }
  }
}

const reported = new WeakSet<object>();
