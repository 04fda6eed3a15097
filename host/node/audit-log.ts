// The admin plane's audit log: one JSON line per admin request (who, what, outcome), appended to a
// file (created 0600) or written to a stream. Tokens are never logged.

import { createWriteStream } from "node:fs";
import type { IncomingMessage } from "node:http";
import type { AdminRecord } from "../admin/admin-hooks.js";
import type { AdminTarget } from "../admin/admin-target.js";
import { printableJson } from "../model/printable.js";

/** One line of the audit log. */
export interface AuditEntry extends AdminRecord {
  time: string;
  remote: string | null;
  method: string | null;
  path: string;
  /** SHA-256 of a patch that was loaded. */
  sha256: string | null;
}

/** An open audit log. */
export interface AuditLog {
  /** Records one request (an AdminHooks.onResult), or an action without one (a restore at start-up). */
  record(record: AdminRecord, req?: IncomingMessage): void;
  close(): Promise<void>;
}

/** Opens an audit log appending to `target`: a file path, or a function taking each line. */
export function openAuditLog(target: string | ((line: string) => void), host?: AdminTarget): AuditLog {
  const file = typeof target === "string" ? createWriteStream(target, { flags: "a", mode: 0o600 }) : null;
  file?.on("error", () => {}); // a broken log must not bring the service down; writes just stop
  const write = file ? (line: string) => void file.write(`${line}\n`) : (target as (line: string) => void);
  return {
    record(record, req) {
      const loaded = record.ok && record.action === "load" && record.hp_id ? host?.getHPInfo().find((p) => p.hp_id === record.hp_id) : undefined;
      const entry: AuditEntry = {
        time: new Date().toISOString(),
        remote: req?.socket.remoteAddress ?? null,
        method: req?.method ?? null,
        path: req ? new URL(req.url ?? "/", "http://localhost").pathname : "",
        ...record,
        sha256: loaded?.sha256 ?? null,
      };
      // JSON escapes C0 controls; DEL, C1 and bidi controls (a name from a request) are escaped too, for a terminal reading stderr.
      write(printableJson(JSON.stringify(entry)));
    },
    close: () => (file ? new Promise<void>((resolve) => file.end(() => resolve())) : Promise.resolve()),
  };
}
