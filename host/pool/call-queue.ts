// Hands `pool.call`s to idle workers, first come first served, so a call never waits behind a
// long call of one worker while another is free. `callOn` goes to its worker at once; every
// ending call lets the next waiting one go.

import type { HotwasmError } from "../errors.js";
import type { WorkerLink } from "./worker-link.js";

interface Waiting {
  name: string;
  args: unknown[];
  resolve: (value: unknown) => void;
  reject: (err: HotwasmError) => void;
}

/** The call queue of one pool. */
export class CallQueue {
  private readonly waiting: Waiting[] = [];
  private next = 0;

  constructor(private readonly links: WorkerLink[]) {}

  /** Runs a call on the next idle worker. */
  call(name: string, args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ name, args, resolve, reject });
      this.pump();
    });
  }

  /** Runs a call on `link`, behind its own running calls. */
  callOn(link: WorkerLink, name: string, args: unknown[]): Promise<unknown> {
    const done = link.call(name, args);
    done.then(() => this.pump(), () => this.pump());
    return done;
  }

  /** Fails every waiting call (the pool closed). */
  failAll(err: HotwasmError): void {
    for (const w of this.waiting.splice(0)) w.reject(err);
  }

  private pump(): void {
    while (this.waiting.length > 0) {
      const live = this.links.filter((l) => !l.failure);
      if (live.length === 0) return this.failAll(this.links[0]!.failure!);
      const idle = live.filter((l) => l.inFlight === 0);
      if (idle.length === 0) return;
      const link = idle[this.next++ % idle.length]!;
      const w = this.waiting.shift()!;
      this.callOn(link, w.name, w.args).then(w.resolve, w.reject);
    }
  }
}
