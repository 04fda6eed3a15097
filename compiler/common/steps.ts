// Times the steps of a build (for `hotwasm diff --json`, the dev loop's log and the benchmarks).

/** Milliseconds per step, in the order the steps ran. */
export type StepTimings = Record<string, number>;

/** Records how long each step takes. */
export class Steps {
  readonly timings: StepTimings = {};

  /** Runs `fn` as step `name` (a step run twice adds up). */
  async time<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.timings[name] = (this.timings[name] ?? 0) + Math.round((performance.now() - started) * 10) / 10;
    }
  }

  /** The synchronous twin of `time`. */
  timeSync<T>(name: string, fn: () => T): T {
    const started = performance.now();
    try {
      return fn();
    } finally {
      this.timings[name] = (this.timings[name] ?? 0) + Math.round((performance.now() - started) * 10) / 10;
    }
  }
}
