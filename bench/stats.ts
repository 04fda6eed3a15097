// Small statistics for the benchmarks: medians and quantiles of samples, interleaved rounds so that
// variants compared with each other see the same machine conditions, and a CPU-time clock (on a
// shared machine, time the process was not scheduled would otherwise count as the variant's).

/** The q-computeQuantile (0..1) of `samples`, linearly interpolated. */
export function computeQuantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/** The median of `samples`. */
export function computeMedian(samples: readonly number[]): number {
  return computeQuantile(samples, 0.5);
}

/** CPU time of this process (all its threads, user and system) in ms. */
export function readCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Runs every variant once per round, in a rotating order; each one's samples in ms of `clock`. */
export function interleave<K extends string>(variants: Record<K, () => unknown>, rounds: number, warmup: number, clock: () => number = readCpuMs): Record<K, number[]> {
  const names = Object.keys(variants) as K[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < warmup + rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!; // rotate, so no variant always runs first
      const started = clock();
      variants[name]();
      const elapsed = clock() - started;
      if (round >= warmup) samples[name].push(elapsed);
    }
  }
  return samples;
}

/** The median over rounds of the per-round ratio a/b (pairs samples taken in the same round). */
export function computePairedRatio(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  return computeMedian(Array.from({ length: n }, (_, i) => a[i]! / b[i]!));
}

/** Bytes as MiB, for people. */
export function toMiB(bytes: number): number {
  return bytes / (1024 * 1024);
}
