// The admin surface shared by a Host and a HostPool: what HPHttpServer (and other admin planes)
// need, so that one server serves either.

import type { LoadConfig } from "../model/config.js";
import type { HostEventListener } from "../model/events.js";
import type { HPInfo } from "../lifecycle/hp-info.js";
import type { UnloadResult } from "../lifecycle/unload-patch.js";

/** Something patches can be loaded into: a Host, or a HostPool of workers. */
export interface PatchTarget {
  /** Loads a patch (hotgo's LoadHP); resolves to its id. */
  loadHP(config: LoadConfig): Promise<string>;
  /** Unloads a patch (hotgo's UnloadHP). */
  unloadHP(id: string): Promise<UnloadResult>;
  /** The loaded patches, oldest first (hotgo's GetHPInfo). */
  getHPInfo(): HPInfo[];
  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: HostEventListener): () => void;
}
