// Safepoint polls for HostPool's stop-the-world swaps: at function entries and/or loop headers
// of the program's own code, a countdown global is decremented; when it reaches zero it is reset
// to the poll interval and the imported `hotwasm.poll` runs (a worker parks there during a swap).
// Entry polls of a patchable function go into its dispatcher, before the flag is read, so a call
// that starts after a swap goes to the new version; its body behind the guard gets the loop polls. A function
// that surely finishes in bounded time (no loop, recursion, indirect or import call, directly or
// through its callees: find-unbounded.ts) gets no entry poll.

import { findExpressions } from "../common/expression-children.js";
import { findUnbounded } from "./find-unbounded.js";
import { RewriteError, type Binaryen, type BinaryenModule } from "../common/binaryen-util.js";
import type { RewriteOutcome } from "./make-patchable.js";
import type { Manifest, ManifestFunction } from "../../host/model/manifest.js";

/** Where polls go: nowhere, function entries, loop headers, or both. */
export type SafepointMode = "off" | "entries" | "loops" | "both";
/** The modes, for option parsing. */
export const SAFEPOINT_MODES: readonly SafepointMode[] = ["off", "entries", "loops", "both"];
/** Poll sites passed between two calls of `hotwasm.poll`, unless configured. */
export const DEFAULT_POLL_INTERVAL = 1000;

/** Options of the safepoint rewrite. */
export interface SafepointOptions {
  mode: SafepointMode;
  /** Sites executed between two polls (1 polls at every site). */
  interval: number;
}

/** What the rewrite inserted, as the manifest records it. */
export type SafepointOutcome = NonNullable<Manifest["safepoints"]>;

const POLL = "hotwasm~poll";
const SLOW_PATH = "hotwasm~safepoint";
const COUNTDOWN = "hotwasm~countdown";
const COUNTDOWN_EXPORT = "hotwasm:countdown";

/** Inserts polls into `module` (after `makePatchable`); null when the mode is "off". */
export function insertSafepoints(b: Binaryen, module: BinaryenModule, outcome: RewriteOutcome, options: SafepointOptions): SafepointOutcome | null {
  checkOptions(options);
  if (options.mode === "off") return null;
  const { mode, interval } = options;
  const i32 = b.i32;
  module.addFunctionImport(POLL, "hotwasm", "poll", b.none, b.none);
  module.addGlobal(COUNTDOWN, i32, true, module.i32.const(interval));
  // An exported mutable global cannot be folded away by the optimiser.
  module.addGlobalExport(COUNTDOWN, COUNTDOWN_EXPORT);
  const site = addPollSite(b, module, { poll: POLL, countdown: COUNTDOWN, slowPath: SLOW_PATH, interval });

  const sites = { entries: 0, loops: 0 };
  const loop = (b as unknown as { Loop: { getBody(e: number): number; setBody(e: number, body: number): void } }).Loop;
  const atLoops = mode === "loops" || mode === "both";
  const atEntries = mode === "entries" || mode === "both";
  // Decided before any poll is inserted: polls add calls.
  const unbounded = atEntries ? findUnbounded(b, module, outcome.functions) : new Set<string>();
  for (const f of outcome.functions) {
    if (!isProgramCode(f)) continue;
    const bodyOwner = f.name; // a patchable function keeps its body behind the guard at its entry
    const entryPoll = unbounded.has(f.name);
    if (atLoops) {
      const fn = module.getFunction(bodyOwner);
      for (const l of findExpressions(b, b.Function.getBody(fn), b.LoopId, bodyOwner)) {
        loop.setBody(l, module.block(null, [site(), loop.getBody(l)], b.auto));
        sites.loops++;
      }
    }
    if (entryPoll) {
      const fn = module.getFunction(f.name); // the dispatcher of a patchable function
      b.Function.setBody(fn, module.block(null, [site(), b.Function.getBody(fn)], b.auto));
      sites.entries++;
    }
  }
  return { mode, interval, import: { module: "hotwasm", name: "poll" }, countdown: COUNTDOWN_EXPORT, sites };
}

/** The names a poll site uses: the poll function, the countdown global, the slow path to add. */
export interface PollNames {
  poll: string;
  countdown: string;
  slowPath: string;
  interval: number;
}

/** Adds the slow path (reset the countdown, call the poll); returns a maker of poll sites. */
export function addPollSite(b: Binaryen, module: BinaryenModule, names: PollNames): () => number {
  const { poll, countdown, slowPath, interval } = names;
  module.addFunction(slowPath, b.none, b.none, [], module.block(null, [
    module.global.set(countdown, module.i32.const(interval)),
    module.call(poll, [], b.none),
  ], b.none));
  return () => module.block(null, [
    module.global.set(countdown, module.i32.sub(module.global.get(countdown, b.i32), module.i32.const(1))),
    module.if(module.i32.le_s(module.global.get(countdown, b.i32), module.i32.const(0)), module.call(slowPath, [], b.none)),
  ], b.none);
}

/** The program's own functions: what the user wrote, not the library, start code or generated stubs. */
function isProgramCode(f: ManifestFunction): boolean {
  const n = f.name;
  // Patchable runtime hooks and virtual-call stubs are generated too.
  if (n.startsWith("~lib/") || n.includes("@")) return false;
  if (f.slot !== null) return true;
  return !n.startsWith("~") && !n.startsWith("start:") && !n.startsWith("export:") && !n.includes("@") && f.reason !== "generated field accessor";
}

function checkOptions(options: SafepointOptions): void {
  if (!SAFEPOINT_MODES.includes(options.mode)) {
    throw new RewriteError(`safepoints must be one of ${SAFEPOINT_MODES.join(", ")}, not "${options.mode}"`);
  }
  if (!Number.isInteger(options.interval) || options.interval < 1 || options.interval > 0x7fffffff) {
    throw new RewriteError(`the poll interval must be a whole number from 1 to 2^31-1, not ${options.interval}`);
  }
}
