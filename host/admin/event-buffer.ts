// The recent events of a host, kept in a bounded buffer for the admin plane's debug page.

import type { HostEvent } from "../model/events.js";
import type { PatchTarget } from "../core/patch-target.js";

/** A window on a host's recent events. */
export interface EventBuffer {
  /** The kept events with `seq` above `after`, oldest first. */
  since(after?: number): HostEvent[];
  /** Stops listening to the host. */
  stop(): void;
}

/** Listens to `host` and keeps its last `limit` events. */
export function bufferEvents(host: PatchTarget, limit = 256): EventBuffer {
  const events: HostEvent[] = [];
  const stop = host.on((event) => {
    events.push(event);
    if (events.length > limit) events.splice(0, events.length - limit);
  });
  return { since: (after = 0) => events.filter((e) => e.seq > after), stop };
}
