// A host's presence: written at start, refreshed with compare-and-set on its own last revision,
// so that a second process using the same host name is noticed (the newer one keeps the name);
// deleted on a clean stop. The bucket's TTL ends the presence of a host that stopped otherwise.

import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { HotwasmError } from "../errors.js";
import { engineCall, type FleetEngine } from "./engine.js";
import { presenceKey } from "./layout.js";
import { encodeRecord, presenceSchema, type Presence } from "./records.js";
import { readEntry } from "./snapshot.js";

/** The presence of one agent. */
export class PresenceBeat {
  /** A random id of this agent. */
  readonly instance = randomBytes(8).toString("hex");
  private revision = 0;
  private readonly startedAt = Date.now();
  private readonly key: string;

  constructor(private readonly build: string, private readonly host: string, private readonly kind: "host" | "pool") {
    this.key = presenceKey(build, host);
  }

  /** Announces the host (taking the name over from a process that is gone). */
  async announce(engine: FleetEngine): Promise<void> {
    this.revision = await engineCall(`announce ${this.host}`, () => engine.presence.put(this.key, encodeRecord(this.record())));
  }

  /** Refreshes the presence; E_FLEET_CONFLICT when another live process wrote this host's name since. */
  async refresh(engine: FleetEngine): Promise<void> {
    if (this.revision === 0) return this.announce(engine); // the announcement at start did not go through
    try {
      this.revision = await engineCall(`refresh ${this.host}`, () => engine.presence.update(this.key, encodeRecord(this.record()), this.revision));
    } catch (err) {
      if (!(err instanceof HotwasmError) || err.code !== "E_FLEET_CONFLICT") throw err;
      const current = await readEntry<Presence>(engine.presence, this.key, presenceSchema);
      if (current.value && current.value.instance !== this.instance) {
        throw new HotwasmError("E_FLEET_CONFLICT", `another process (pid ${current.value.pid} on ${current.value.machine}) joined the fleet as "${this.host}"; this one stops acting on the fleet`);
      }
      await this.announce(engine); // expired (a long partition) or deleted: announce again
    }
  }

  /** Ends the presence (a clean stop). */
  async withdraw(engine: FleetEngine): Promise<void> {
    await engineCall(`withdraw ${this.host}`, () => engine.presence.delete(this.key));
  }

  private record(): Presence {
    return { v: 1, host_id: this.host, build_id: this.build, instance: this.instance, machine: hostname(), pid: process.pid, kind: this.kind, started_at: this.startedAt, at: Date.now() };
  }
}
