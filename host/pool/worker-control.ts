// A pool worker's side of the swap protocol. Commands are taken at safe points only: from the
// event loop between calls, or from the `hotwasm.poll` import inside a long Wasm call. "stop"
// parks the worker right there (Atomics.wait) until "release"; the commit in between runs on
// this thread, synchronously, while no call of this worker is between dispatch and entry.

import { receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import type { HostEvent } from "../model/events.js";
import { HotwasmError } from "../errors.js";
import type { Host } from "../core/host.js";
import type { Staged, StagedLoad } from "../model/staged.js";
import type { UnloadResult } from "../lifecycle/unload-patch.js";
import { mailboxOf, toWire, type Command, type FromWorker, type Reply, type WorkerInit } from "./protocol.js";

/** Commands of phase 1 that run patch code (hooks): the pool hears when they are taken, then waits
 * for the code's bound. (A commit runs HPAfterLoad too, but is taken at once: every worker is parked.) */
const RUNS_PATCH_CODE = new Set<Command["op"]>(["stage-load", "stage-unload"]);

/** Runs the swap commands of one worker. */
export class WorkerControl {
  private readonly ctl: Int32Array;
  private readonly box: number;
  private readonly port: MessagePort;
  /** Commands taken so far; the mailbox counts those posted. */
  private seen = 0;
  private draining = false;
  private parked = false;
  private parkedAt = 0;
  private host: Host | null = null;
  private staged: { token: number; load?: StagedLoad; unload?: Staged<UnloadResult>; revoke?: { id: string; reason: string } } | null = null;
  private committed: { token: number; load: StagedLoad } | null = null;
  private events: HostEvent[] = [];

  constructor(init: WorkerInit, private readonly send: (msg: FromWorker) => void) {
    this.ctl = new Int32Array(init.control);
    this.box = mailboxOf(init.index);
    this.port = init.commands;
  }

  /** Starts taking commands for `host`. */
  attach(host: Host): void {
    this.host = host;
    host.on((e) => {
      if (e.type === "hook" || e.type === "commit" || e.type === "revert" || e.type === "rollback") this.events.push(e);
    });
  }

  /** The `hotwasm.poll` import: one shared load and a compare, unless a command waits. */
  readonly poll = (): void => {
    if (Atomics.load(this.ctl, this.box) !== this.seen) this.drain();
  };

  /** Runs every waiting command; while parked, waits for more until "release". */
  drain(): void {
    // Hooks run Wasm that may poll again: commands are taken one at a time, never re-entered.
    if (this.draining || !this.host) return;
    this.draining = true;
    try {
      for (;;) {
        while (this.seen !== Atomics.load(this.ctl, this.box)) {
          const msg = receiveMessageOnPort(this.port);
          if (!msg) { Atomics.wait(this.ctl, this.box + 1, 0, 1); continue; } // counted but not yet readable
          this.seen++;
          this.run(msg.message as Command);
        }
        if (!this.parked) return;
        Atomics.wait(this.ctl, this.box, this.seen, 1000);
      }
    } finally {
      this.draining = false;
    }
  }

  private run(cmd: Command): void {
    if (RUNS_PATCH_CODE.has(cmd.op)) this.send({ type: "taken", token: cmd.token, op: cmd.op });
    this.events = [];
    const reply: Reply = { token: cmd.token, op: cmd.op, error: null, events: this.events };
    try {
      this.apply(cmd, reply);
    } catch (err) {
      reply.error = toWire(err);
    }
    this.send({ type: "reply", reply });
  }

  private apply(cmd: Command, reply: Reply): void {
    const host = this.host!;
    switch (cmd.op) {
      case "stage-load":
        this.dropStaged();
        this.staged = { token: cmd.token, load: host.stageLoad({ bytes: cmd.bytes, config: cmd.config, module: cmd.module, policy: cmd.policy }) };
        return;
      case "stage-revoke":
        this.dropStaged();
        if (!host.getHPInfo().some((p) => p.hp_id === cmd.hp_id && p.state === "loaded")) {
          throw new HotwasmError("E_UNKNOWN_PATCH", `no loaded patch has id "${cmd.hp_id}"`, { details: { hp_id: cmd.hp_id } });
        }
        this.staged = { token: cmd.token, revoke: { id: cmd.hp_id, reason: cmd.reason } };
        return;
      case "stage-unload":
        this.dropStaged();
        this.staged = { token: cmd.token, unload: host.stageUnload(cmd.hp_id) };
        return;
      case "discard":
        if (this.staged?.token === cmd.token) this.dropStaged();
        return;
      case "stop":
        this.parked = true;
        this.parkedAt = performance.now();
        return;
      case "commit": {
        const staged = this.staged?.token === cmd.token ? this.staged : null;
        this.staged = null;
        if (!staged) throw new Error(`nothing is staged for operation ${cmd.token}`);
        if (staged.load) {
          staged.load.commit();
          this.committed = { token: cmd.token, load: staged.load };
        } else if (staged.revoke) {
          host.revokeHP(staged.revoke.id, staged.revoke.reason);
        } else {
          reply.warnings = staged.unload!.commit().warnings;
        }
        return;
      }
      case "rollback":
        if (this.committed?.token === cmd.token) this.committed.load.rollback(cmd.reason);
        this.committed = null;
        return;
      case "release":
        if (this.parked) reply.parkedMs = performance.now() - this.parkedAt;
        this.parked = false;
        this.committed = null;
        reply.info = host.getHPInfo();
        return;
    }
  }

  private dropStaged(): void {
    this.staged?.load?.discard();
    this.staged?.unload?.discard();
    this.staged = null;
  }
}
