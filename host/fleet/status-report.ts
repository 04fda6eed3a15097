// What an agent reports: its status record (written when it changes), its host results in the
// audit stream, and the trap containment it forwards — failures of the rollout's new patches
// counted, and a patch the host rolled back on its own kept out for the rest of the rollout.

import type { HostEvent } from "../model/events.js";
import { publishHostResult } from "./audit.js";
import { engineCall, type FleetEngine } from "./engine.js";
import { statusKey } from "./layout.js";
import { encodeRecord, type HostStatus, type RolloutState } from "./records.js";
import type { ReconcileOutcome } from "./reconcile.js";

/** Delay before a trap's status is written, so that a burst of traps makes one write. */
const TRAP_REPORT_DELAY_MS = 100;

/** An agent's reports. */
export class StatusReporter {
  /** The last status written. */
  last: HostStatus | null = null;
  /** The rollout state the host converges to. */
  state: RolloutState | null = null;
  /** Patches trap containment rolled back here during this rollout, with the host's reason. */
  readonly blocked = new Map<string, string>();
  private traps = 0;
  private lastTrapAt: number | undefined;
  private readonly trapped = new Set<string>();
  private published = "";
  private scheduled: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly host: string, private readonly build: string, private readonly reconcile: () => Promise<void>) {}

  /** A new rollout: its trap counts start from zero. */
  startRollout(state: RolloutState): void {
    this.blocked.clear();
    this.trapped.clear();
    this.traps = 0;
    this.lastTrapAt = undefined;
    this.state = state;
  }

  /** A trap or a rollback of the fleet's patch `sha` on this host. */
  onEvent(e: HostEvent, sha: string): void {
    if (e.type === "trap") {
      this.trapped.add(e.hp_id);
      const s = this.state;
      if (s && s.target.some((p) => p.sha256 === sha) && !s.baseline.some((p) => p.sha256 === sha)) {
        this.traps++;
        this.lastTrapAt = Date.now();
      }
    } else if (e.type === "rollback" && this.trapped.has(e.hp_id)) {
      this.blocked.set(sha, e.reason);
    } else {
      return;
    }
    if (!this.scheduled) {
      this.scheduled = setTimeout(() => { this.scheduled = null; void this.reconcile(); }, TRAP_REPORT_DELAY_MS);
      this.scheduled.unref();
    }
  }

  /** Writes the host's status if it changed, and records a new result in the audit stream. */
  async report(engine: FleetEngine, state: RolloutState | null, outcome: ReconcileOutcome): Promise<void> {
    const status: HostStatus = {
      v: 1, host_id: this.host, build_id: this.build, rollout_id: state?.rollout_id ?? null, gen: state?.gen ?? 0,
      result: outcome.result, applied: outcome.applied,
      ...(outcome.code ? { code: outcome.code } : {}), ...(outcome.message ? { message: outcome.message } : {}),
      traps: this.traps, ...(this.lastTrapAt !== undefined ? { last_trap_at: this.lastTrapAt } : {}), at: Date.now(),
    };
    if (!this.last || !sameStatus(this.last, status)) {
      await engineCall(`write the status of ${this.host}`, () => engine.status.put(statusKey(this.build, this.host), encodeRecord(status)));
      this.last = status;
    }
    const key = `${status.rollout_id}:${status.gen}:${status.result}:${status.code ?? ""}`;
    if (key === this.published) return;
    await publishHostResult(engine, {
      kind: "host", build_id: this.build, rollout_id: status.rollout_id, gen: status.gen, host_id: this.host, result: status.result,
      applied: status.applied, ...(status.code ? { code: status.code } : {}), ...(status.message ? { message: status.message } : {}), at: status.at,
    }).then(() => { this.published = key; }, () => undefined); // retried with the next report
  }
}

function sameStatus(a: HostStatus, b: HostStatus): boolean {
  return JSON.stringify({ ...a, at: 0 }) === JSON.stringify({ ...b, at: 0 });
}
