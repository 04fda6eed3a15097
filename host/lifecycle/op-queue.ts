// Serialises the loads and unloads of a Host or a HostPool: one at a time, in the order asked;
// synchronous ones only when nothing else is queued or running; staged ones hold the queue until
// they settle. Every HotwasmError leaving an operation is reported once as a "refused" event.

import { HotwasmError, isHotwasmError } from "../errors.js";
import type { EventHub } from "../model/events.js";
import type { Staged } from "../model/staged.js";

/** Which kind of operation, for events and messages. */
export type OpAction = "load" | "unload";

/** The operation queue of one host or pool. */
export class OperationQueue {
  private queue: Promise<unknown> = Promise.resolve();
  /** Operations queued, running or staged; a synchronous operation needs none. */
  private pending = 0;
  private busy = false;

  constructor(private readonly events: EventHub) {}

  /** True when no operation is queued, running or staged. */
  get idle(): boolean {
    return this.pending === 0 && !this.busy;
  }

  /** Runs `op` after every operation asked for before it. */
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

  /** Runs `op` now; E_BUSY when another operation is queued, running or staged. */
  exclusive<T>(action: OpAction, id: string | null, op: () => T): T {
    if (this.busy || this.pending > 0) throw new HotwasmError("E_BUSY", `another load or unload is running; ${action} it again after it ends`);
    this.busy = true;
    try {
      return this.guard(action, id, op);
    } finally {
      this.busy = false;
    }
  }

  /** Keeps every other operation out until the staged one is committed or discarded. */
  hold<T>(action: OpAction, id: string, commit: () => T): Staged<T> {
    this.pending++;
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => { settle = resolve; });
    this.queue = this.queue.then(() => settled);
    let open = true;
    const close = () => {
      if (open) { open = false; this.pending--; settle(); }
    };
    return {
      hp_id: id,
      commit: () => {
        if (!open) throw new HotwasmError("E_INTERNAL", `the staged ${action} of ${id} was already committed or discarded`);
        try {
          return this.guard(action, id, commit);
        } finally {
          close();
        }
      },
      discard: close,
    };
  }

  /** Emits a "refused" event naming `id` for every HotwasmError that leaves `op` (once); `restored` marks a re-application at start-up. */
  guard<T>(action: OpAction, id: string | null, op: () => T, restored = false): T {
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
