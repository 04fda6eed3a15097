// The state of a dev loop: the running base (built at start, and again for a full reload), the
// dev patch (the diff of the sources now against that base) and the last problem. Builds run
// one at a time; saves that arrive during a build are folded into the next one.

import { relative } from "node:path";
import { buildPatchable } from "../compiler/base/build.js";
import { buildDiff } from "../compiler/diff/build-diff.js";
import { readSources } from "../compiler/common/embed-sources.js";
import { encodeBase64, type DevEvent, type DevPatch, type DevProblem } from "../host/dev/dev-protocol.js";
import { describeProblem, shortName } from "../host/dev/dev-status.js";
import type { Manifest } from "../host/model/manifest.js";
import { toDevProblem } from "./describe-failure.js";
import { buildExamplePatches, type ExamplePatch } from "./example-patches.js";

/** What the session builds and whom it tells. */
export interface DevSessionOptions {
  /** The project directory (its asconfig.json, sources, patches/). */
  cwd: string;
  /** Entry files (default: asconfig.json's). */
  entries?: string[];
  /** Where the base build goes (default: asconfig.json's outFile, else build/app.wasm). */
  outFile?: string;
  /** More asc options, for the base and every patch. */
  ascArgs?: string[];
  /** The example patches' directory (default "patches"). */
  patchesDir?: string;
  /** Sends an event to every client; returns how many there are. */
  emit: (event: DevEvent) => number;
  /** One line (or a few) for the terminal. */
  log: (text: string) => void;
}

/** The running base. */
export interface DevBase {
  binary: Uint8Array;
  manifest: Manifest;
  /** Where it was written. */
  file: string;
  /** The sources it was built from, by path relative to the project. */
  sources: Record<string, string>;
}

/** What to do when an edit cannot be patched. */
export const RELOAD_HINT = "fix it to go on patching, or start over with a rebuilt base (the program's state is lost): " +
  "click \"Rebuild & reload\" in the page, or type r and Enter here";

/** A dev loop's builds and state. */
export class DevSession {
  private patch: DevPatch | null = null;
  private problem: DevProblem | null = null;
  private seq = 0;
  private work: Promise<unknown> = Promise.resolve();
  private pending = new Set<string>();
  private queued: Promise<void> | null = null;
  private examples: Promise<ExamplePatch[]> | null = null;

  private constructor(private readonly o: DevSessionOptions, public base: DevBase) {}

  /** Builds the base, then (in the background) the example patches and the first diff. */
  static async start(o: DevSessionOptions): Promise<DevSession> {
    const session = new DevSession(o, await buildBase(o));
    void session.examplePatches();
    void session.enqueue(() => session.diff(true));
    return session;
  }

  /** The greeting of a new client: the base and the dev patch in force now. */
  hello(): DevEvent {
    return { type: "hello", base: this.base.manifest.buildId, baseFile: relative(this.o.cwd, this.base.file), patch: this.patch, problem: this.problem };
  }

  /** The program's own source files, relative to the project. */
  sourceFiles(): string[] {
    return Object.keys(this.base.sources).sort();
  }

  /** The example patches, built once per base. */
  examplePatches(): Promise<ExamplePatch[]> {
    const base = this.base;
    this.examples ??= this.enqueue(async () => {
      const list = await buildExamplePatches({ cwd: this.o.cwd, dir: this.o.patchesDir ?? "patches", base: base.binary, sources: base.sources });
      for (const p of list) if (p.problem) this.o.log(`example patch ${p.file} does not build: ${describeProblem(p.problem)}`);
      return list;
    });
    return this.examples;
  }

  /** `files` were saved: builds and sends the dev patch (once for a burst of saves). */
  edited(files: string[]): Promise<void> {
    for (const f of files) this.pending.add(f);
    this.queued ??= this.enqueue(async () => {
      this.queued = null;
      await this.diff(false);
    });
    return this.queued;
  }

  /** Rebuilds the base from the sources now; clients reload. False when the build failed. */
  rebuild(): Promise<boolean> {
    return this.enqueue(async () => {
      const seq = ++this.seq;
      this.o.emit({ type: "building", seq, files: [] });
      const started = performance.now();
      try {
        this.base = await buildBase(this.o);
      } catch (err) {
        this.report(toDevProblem(err, seq, []));
        return false;
      }
      this.patch = null;
      this.problem = null;
      this.examples = null;
      const reached = this.o.emit({ type: "reload", base: this.base.manifest.buildId });
      this.o.log(`rebuilt ${relative(this.o.cwd, this.base.file)} in ${ms(started)} ms (build id ${this.base.manifest.buildId}); ${reached} client(s) reload`);
      return true;
    });
  }

  /** Waits until every build asked for so far has finished. */
  async idle(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.work;
      await seen;
    } while (seen !== this.work);
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.work.then(task, task);
    this.work = run.catch(() => undefined);
    return run;
  }

  private async diff(quiet: boolean): Promise<void> {
    const files = [...this.pending].sort();
    this.pending.clear();
    const seq = ++this.seq;
    if (!quiet) this.o.emit({ type: "building", seq, files });
    const started = performance.now();
    try {
      const { report, patch } = await buildDiff({ base: this.base.binary, cwd: this.o.cwd, root: ".", ascArgs: this.o.ascArgs });
      if (quiet && !patch) return;
      const build_ms = ms(started);
      this.patch = { seq, base: this.base.manifest.buildId, changed: report.changed, added: report.added, hp_bytes: patch ? encodeBase64(patch.binary) : null, files, build_ms };
      this.problem = null;
      const reached = this.o.emit({ type: "patch", patch: this.patch });
      const what = patch ? `${report.changed.map(shortName).join(", ")} (${patch.binary.length} bytes)` : "no difference from the base: the dev patch is removed";
      this.o.log(`patch ${seq}${files.length ? ` for ${files.join(", ")}` : ""}: ${what}; built in ${build_ms} ms, sent to ${reached} client(s)`);
    } catch (err) {
      this.report(toDevProblem(err, seq, files));
    }
  }

  private report(problem: DevProblem): void {
    this.problem = problem;
    this.o.emit({ type: "problem", problem });
    this.o.log(`${describeProblem(problem)}\n  ${RELOAD_HINT}`);
  }
}

async function buildBase(o: DevSessionOptions): Promise<DevBase> {
  // The project directory is the root: the sources it watches are named relative to it.
  const built = await buildPatchable({ cwd: o.cwd, root: ".", entries: o.entries, outFile: o.outFile, ascArgs: o.ascArgs });
  return { binary: built.binary, manifest: built.manifest!, file: built.outFile!, sources: readSources(built.binary) ?? {} };
}

function ms(since: number): number {
  return Math.round(performance.now() - since);
}
