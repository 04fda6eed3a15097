// Start-up of a served Host or HostPool with a state directory: re-applies the recorded patches in order and
// then records from the state in force. A patch that no longer fits (the base was rebuilt, its bytes
// are damaged) is dropped and reported — a log line, an audit record, a "refused" event marked
// restored — and the service starts anyway: never a crash loop.

import type { AdminRecord } from "../admin/admin-hooks.js";
import { toHotwasmError, httpStatusOf } from "../errors.js";
import type { PatchStore, StoredPatch } from "../lifecycle/patch-store.js";
import type { PatchJournal } from "./patch-journal.js";

/** What can be restored: a Host or a HostPool. */
export interface RestoreTarget {
  restoreHP(entry: StoredPatch, readBytes: () => Promise<Uint8Array>): Promise<string>;
  persistTo(store: PatchStore): Promise<void>;
}

/** What a restore did. */
export interface RestoreReport {
  restored: string[];
  dropped: { hp_id: string; hp_file: string; code: string; message: string }[];
}

/** Re-applies `journal`'s patches to `host`, then makes the journal the host's store. */
export async function restorePatches(host: RestoreTarget, journal: PatchJournal, log: (line: string) => void, audit?: (record: AdminRecord) => void): Promise<RestoreReport> {
  const report: RestoreReport = { restored: [], dropped: [] };
  if (journal.problem) log(`hotwasm serve: state: ${journal.problem}`);
  for (const entry of journal.entries) {
    const name = entry.config.hp_file || "(uploaded)";
    try {
      await host.restoreHP(entry, () => journal.readBytes(entry.sha256));
      report.restored.push(entry.hp_id);
      log(`hotwasm serve: state: re-applied ${entry.hp_id} (${name})`);
      audit?.({ surface: "state", action: "load", ok: true, status: 200, code: null, message: null, hp_id: entry.hp_id, hp_file: entry.config.hp_file || null, upload_bytes: null });
    } catch (err) {
      const e = toHotwasmError(err);
      report.dropped.push({ hp_id: entry.hp_id, hp_file: entry.config.hp_file, code: e.code, message: e.message });
      log(`hotwasm serve: state: dropped ${entry.hp_id} (${name}): ${e.code}: ${e.message}`);
      audit?.({ surface: "state", action: "load", ok: false, status: httpStatusOf(e.code), code: e.code, message: e.message, hp_id: entry.hp_id, hp_file: entry.config.hp_file || null, upload_bytes: null });
    }
  }
  // Invariant: the journal is rewritten only now, so a process killed during the restore restores all of it again.
  await host.persistTo(journal);
  return report;
}
