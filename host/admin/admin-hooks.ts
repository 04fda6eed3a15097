// What the admin plane plugs into the HTTP and JSON-RPC surfaces: a gate run before every request
// (authentication, origin checks) and a record of how every request ended (the audit log).

import type { IncomingMessage } from "node:http";
import type { ErrorCode } from "../errors.js";

/** What a request asked for; "none" when it named no endpoint or method. */
export type AdminAction = "load" | "unload" | "info" | "debug" | "none";

/** One admin request and its outcome. */
export interface AdminRecord {
  /** "state": a patch re-applied (or dropped) from the state directory at start-up. */
  surface: "http" | "rpc" | "state";
  action: AdminAction;
  ok: boolean;
  /** The HTTP status; for a JSON-RPC refusal (answered 200), the status the HTTP API gives it. */
  status: number;
  code: ErrorCode | null;
  message: string | null;
  hp_id: string | null;
  hp_file: string | null;
  /** Size of an uploaded patch, in bytes. */
  upload_bytes: number | null;
}

/** The hooks a surface runs. */
export interface AdminHooks {
  /** Runs before a request is read; throws a HotwasmError to refuse it. */
  authorize?: (req: IncomingMessage) => void | Promise<void>;
  /** Told how every request ended, once, after the answer is written; must not throw. */
  onResult?: (record: AdminRecord, req: IncomingMessage) => void;
}

/** What a surface learns about a request while serving it. */
export type RequestFacts = Pick<AdminRecord, "action" | "hp_id" | "hp_file" | "upload_bytes">;

/** Facts about a request before anything is known but its action. */
export function factsOf(action: AdminAction): RequestFacts {
  return { action, hp_id: null, hp_file: null, upload_bytes: null };
}

/** Calls `onResult` without letting a failing listener change the answer. */
export function reportResult(hooks: AdminHooks, record: AdminRecord, req: IncomingMessage): void {
  try {
    hooks.onResult?.(record, req);
  } catch {
    // An audit sink's failure must not turn into a second response.
  }
}
