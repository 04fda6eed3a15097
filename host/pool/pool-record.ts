// Where a HostPool records its patches (`serve --workers N --state-dir D`): the bytes before a
// load, the list in force after every change. A load the list cannot record is undone by the
// caller; an unload or rollback it cannot record is a warning and a `store-failed` event.

import type { EventHub } from "../model/events.js";
import type { HPInfo } from "../lifecycle/hp-info.js";
import { saveListOrWarn, storedFromInfo, storeFailedError, type PatchStore } from "../lifecycle/patch-store.js";

/** The pool's store, if it has one. */
export class PoolRecord {
  private store: PatchStore | null = null;

  constructor(private readonly events: EventHub) {}

  /** Records from now on in `store`, starting with the patches of `info`. */
  async attach(store: PatchStore, info: HPInfo[]): Promise<void> {
    this.store = store;
    await store.saveList(storedFromInfo(info));
  }

  /** Keeps a patch's bytes before it is applied; throws E_STATE_WRITE_FAILED when it cannot. */
  async saveBytes(sha256: string, bytes: Uint8Array): Promise<void> {
    await this.store?.saveBytes(sha256, bytes).catch((err: unknown) => { throw storeFailedError(err, "its bytes"); });
  }

  /** Records a load; when it cannot, runs `undo` and throws E_STATE_WRITE_FAILED. */
  async saveLoad(info: HPInfo[], undo: () => Promise<unknown>): Promise<void> {
    await this.store?.saveList(storedFromInfo(info)).catch(async (err: unknown) => {
      await undo();
      throw storeFailedError(err, "the load", true);
    });
  }

  /** Records any other change; resolves to a warning when it cannot. */
  async save(info: HPInfo[]): Promise<string | null> {
    return this.store ? saveListOrWarn(this.store, storedFromInfo(info), this.events) : null;
  }
}
