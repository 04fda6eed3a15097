// Test helper for HostPool: the pool-test base (with safepoints), the shared call record its
// imports write (test/fixtures/pool-imports.mjs), version patches, and the stop-the-world check.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { SafepointMode } from "../../compiler/base/insert-safepoints.js";
import { HostPool, type HostPoolOptions } from "../../host/pool/host-pool.js";
import { buildApp } from "./build.js";
import { wat } from "./wat.js";

const source = readFileSync(fileURLToPath(new URL("../fixtures/pool-app.ts", import.meta.url)), "utf8");
/** The imports module of the pool-test base. */
export const POOL_IMPORTS = fileURLToPath(new URL("../fixtures/pool-imports.mjs", import.meta.url));
/** Int32 slots per worker in the record (as in pool-imports.mjs). */
const SLOTS = 4 + 3 * 4096;

/** The pool-test base, built with `safepoints` polls. */
export function poolAppBinary(safepoints: SafepointMode = "both"): Promise<Uint8Array> {
  return buildApp({ "assembly/index.ts": source }, { safepoints });
}

/** One worker's run of calls on one version, by global ticket. */
export interface Run {
  worker: number;
  version: number;
  first: number;
  last: number;
}

/** The shared record every worker's imports write; `data` goes to HostPool as importsData. */
export function createRecord(workers: number, options: { badLimitWorker?: number } = {}) {
  const data = {
    ticket: new SharedArrayBuffer(4), stop: new SharedArrayBuffer(4), epoch: new SharedArrayBuffer(4), runs: new SharedArrayBuffer(workers * SLOTS * 4),
    badLimitWorker: options.badLimitWorker ?? -1,
  };
  const all = new Int32Array(data.runs);
  const slot = (w: number, i: number) => Atomics.load(all, w * SLOTS + i);
  return {
    data,
    /** Starts new runs in every worker from here on (call it after each swap). */
    nextEpoch: () => Atomics.add(new Int32Array(data.epoch), 0, 1),
    /** Makes every spin() call return. */
    stopSpinning: () => Atomics.store(new Int32Array(data.stop), 0, 1),
    /** Calls of version() that worker `w` started. */
    calls: (w: number) => slot(w, 1),
    overflowed: (w: number) => slot(w, 2) !== 0,
    runs: (w: number): Run[] => Array.from({ length: slot(w, 0) }, (_, k) => ({
      worker: w, version: slot(w, 4 + 3 * k), first: slot(w, 5 + 3 * k), last: slot(w, 6 + 3 * k),
    })),
  };
}

/** A pool of the pool-test base with its record; safepoint waits are generous (a loaded machine is slow, not wrong). */
export async function makePool(workers: number, options: Partial<HostPoolOptions> & { safepoints?: SafepointMode; badLimitWorker?: number } = {}) {
  const record = createRecord(workers, { badLimitWorker: options.badLimitWorker });
  const pool = await HostPool.create(await poolAppBinary(options.safepoints), {
    workers, imports: POOL_IMPORTS, importsData: record.data, safepointTimeoutMs: 60_000, ...options,
  });
  return { pool, record };
}

/** A patch whose `version` records and returns `k`. */
export function versionPatch(k: number, extra = ""): Uint8Array {
  return wat(`(module (import "env" "tick" (func $tick (param i32))) ${extra}
    (func (export "version") (result i32) (call $tick (i32.const ${k})) (i32.const ${k})))`);
}

/**
 * Every way the record breaks stop-the-world: two runs of different versions whose tickets
 * interleave (a call on one version started after a call on the other, and the other way round),
 * or versions that do not follow `expected` (the order of versions in force, e.g. 1, 2, 1, 3, 1).
 */
export function findViolations(runs: Run[], expected: number[]): string[] {
  const out: string[] = [];
  for (const a of runs) {
    for (const b of runs) {
      if (a.version !== b.version && a.first <= b.last && b.first <= a.last && a.first < b.first) {
        out.push(`worker ${a.worker} ran version ${a.version} at tickets ${a.first}..${a.last}, worker ${b.worker} version ${b.version} at ${b.first}..${b.last}`);
      }
    }
  }
  const blocks: number[] = [];
  for (const r of [...runs].sort((a, b) => a.first - b.first)) if (blocks[blocks.length - 1] !== r.version) blocks.push(r.version);
  let at = 0;
  for (const v of blocks) {
    while (at < expected.length && expected[at] !== v) at++;
    if (at === expected.length) { out.push(`version ${v} ran out of order (versions in ticket order: ${blocks.join(", ")})`); break; }
  }
  return out;
}

/** Polls `check` every few ms until it holds; throws after `ms` (a bound, not a timing assertion). */
export async function waitUntil(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
