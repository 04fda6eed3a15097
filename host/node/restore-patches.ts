// Start-up of a served Host or HostPool with a state directory: re-applies the recorded patches in
// order and then records from the state in force. A patch that no longer fits (the base was
// rebuilt, its bytes are damaged, its entry is unreadable) is dropped and reported — a log line,
// an audit record, a "refused" event marked restored — and the list as it was is kept aside with
// its bytes. The service starts anyway: never a crash loop, not even on a read-only directory.

import type { AdminRecord } from "../admin/admin-hooks.js";
import { toHotwasmError, httpStatusOf } from "../errors.js";
import type { PatchStore, StoredPatch } from "../lifecycle/patch-store.js";
import { printable } from "../model/printable.js";
import type { PatchJournal } from "./patch-journal.js";

/** What can be restored: a Host or a HostPool. */
export interface RestoreTarget {
  restoreHP(entry: StoredPatch, readBytes: () => Promise<Uint8Array>): Promise<string>;
  persistTo(store: PatchStore): Promise<void>;
}

/** What a restore did: the patches re-applied, those it could not (with the code), and what else it found. */
export interface RestoreReport {
  restored: string[];
  dropped: { hp_id: string; hp_file: string; code: string; message: string }[];
  /** Where the list was kept aside with its bytes because a patch was dropped, if it was. */
  aside?: string;
  /** Lines for the operator: an unreadable list, ignored keys, a directory that cannot be written. */
  problems?: string[];
}

/** Re-applies `journal`'s patches to `host`, then makes the journal the host's store. */
export async function restorePatches(host: RestoreTarget, journal: PatchJournal, log: (line: string) => void, audit?: (record: AdminRecord) => void): Promise<RestoreReport> {
  const report: RestoreReport = { restored: [], dropped: [] };
  const problems = [...journal.problems];
  const say = (line: string) => log(`hotwasm serve: state: ${printable(line)}`);
  for (const line of problems) say(line);
  const unreadable = new Map(journal.unreadable.map((u) => [u.index, u]));
  const drop = (hp_id: string, hp_file: string, code: string, message: string) => {
    report.dropped.push({ hp_id, hp_file, code, message });
    say(`dropped ${hp_id || "(unknown id)"} (${hp_file || "(uploaded)"}): ${code}: ${message}`);
    audit?.({ surface: "state", action: "load", ok: false, status: httpStatusOf(code as never), code: code as never, message, hp_id: hp_id || null, hp_file: hp_file || null, upload_bytes: null });
  };
  const entries = [...journal.entries];
  for (let index = 0; entries.length > 0 || unreadable.size > 0; index++) {
    const bad = unreadable.get(index);
    if (bad) {
      unreadable.delete(index);
      drop(bad.hp_id ?? "", "", "E_STATE_CORRUPT", `the journal's ${bad.reason}`);
      continue;
    }
    const entry = entries.shift()!;
    const name = entry.config.hp_file || "(uploaded)";
    try {
      await host.restoreHP(entry, () => journal.readBytes(entry.sha256));
      report.restored.push(entry.hp_id);
      say(`re-applied ${entry.hp_id} (${name})`);
      audit?.({ surface: "state", action: "load", ok: true, status: 200, code: null, message: null, hp_id: entry.hp_id, hp_file: entry.config.hp_file || null, upload_bytes: null });
    } catch (err) {
      const e = toHotwasmError(err);
      drop(entry.hp_id, entry.config.hp_file, e.code, e.message);
    }
  }
  // Before the list is rewritten without them, the dropped patches' list and bytes are kept.
  if (report.dropped.length > 0 && journal.readOnly === null) {
    try {
      report.aside = await journal.keepAside([...journal.entries.map((e) => e.sha256), ...journal.unreadable.flatMap((u) => (u.sha256 ? [u.sha256] : []))]);
      say(`the list as it was, with its patches' bytes, is kept in ${report.aside}/`);
    } catch (err) {
      const e = toHotwasmError(err);
      problems.push(`${e.code}: ${e.message}`);
      say(`${e.code}: ${e.message}`);
    }
  }
  // Invariant: the journal is rewritten only now, so a process killed during the restore restores all of it again.
  try {
    await host.persistTo(journal);
  } catch (err) {
    // A directory that cannot be written: the service runs, and loads are refused until it can.
    const e = toHotwasmError(err);
    problems.push(`${e.code}: ${e.message}`);
    say(`${e.code}: ${e.message}; loads are refused until the state directory can be written`);
  }
  if (problems.length > 0) report.problems = problems;
  return report;
}
