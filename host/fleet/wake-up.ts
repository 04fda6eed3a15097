// Waking a loop: passes run one at a time (a request during a pass asks for one more after it),
// and KV watches only wake the loop up — they are re-created when they end, and the loop's own
// timer covers a watch that stalls.

import type { KV, KvWatchInclude } from "@nats-io/kv";

/** A pass that runs one at a time. */
export interface Passes {
  /** Runs a pass, or one more after the running one; resolves once a pass that started after this call is over. */
  request(): Promise<void>;
  /** The running pass, if any. */
  readonly running: Promise<void> | null;
}

/** Serialises `pass`: never two at once, and a request during a pass is not lost. */
export function serialPasses(pass: () => Promise<void>, stopped: () => boolean): Passes {
  let running: Promise<void> | null = null;
  let again = false;
  return {
    get running() { return running; },
    request() {
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        do {
          again = false;
          await pass();
        } while (again && !stopped());
      })().finally(() => { running = null; });
      return running;
    },
  };
}

/** Watches `key` of `kv` until `stopped()`: each change calls `wake`; a watch that fails or ends is made again after `retryMs`. Returns a stopper. */
export function watchToWake(kv: KV, key: string, include: KvWatchInclude | undefined, wake: () => void, stopped: () => boolean, retryMs: number): () => void {
  let current: { stop(): void } | null = null;
  void (async () => {
    while (!stopped()) {
      try {
        const w = await kv.watch({ key, ...(include !== undefined ? { include } : {}) });
        current = w;
        if (stopped()) w.stop();
        for await (const _ of w) wake();
      } catch {
        // The loop's timer keeps things moving; watch again later.
      }
      if (!stopped()) await new Promise((r) => setTimeout(r, retryMs).unref());
    }
  })();
  return () => current?.stop();
}
