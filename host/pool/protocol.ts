// What the pool's main thread and its workers say to each other. Calls and replies travel on the
// worker's own port; swap commands on a second port that only `receiveMessageOnPort` reads, so a
// worker can take them inside a safepoint poll, in the middle of a long Wasm call. A shared
// control block holds one mailbox counter per worker: commands posted so far.

import type { MessagePort } from "node:worker_threads";
import type { EffectiveConfig, TrapPolicy } from "../model/config.js";
import { HotwasmError, isHotwasmError, type ErrorCode } from "../errors.js";
import type { HostEvent } from "../model/events.js";
import type { HPInfo } from "../core/host.js";

/** What a worker is started with (workerData). */
export interface WorkerInit {
  index: number;
  workers: number;
  module: WebAssembly.Module;
  /** URL of the module that makes the base's imports, or null for none. */
  importsUrl: string | null;
  importsData: unknown;
  control: SharedArrayBuffer;
  commands: MessagePort;
  /** Bound of patch code run during a load or unload step (hooks), in ms: the worker's watchdog. */
  patchTimeoutMs: number;
}

/** A swap command, sent to every worker; `token` names the operation it belongs to. */
export type Command = { token: number } & (
  | { op: "stage-load"; bytes: Uint8Array; config: EffectiveConfig; module: WebAssembly.Module; policy?: TrapPolicy }
  | { op: "stage-unload"; hp_id: string }
  | { op: "stage-revoke"; hp_id: string; reason: string }
  | { op: "discard" }
  | { op: "stop" }
  | { op: "commit" }
  | { op: "rollback"; reason: string }
  | { op: "release" }
);

/** A command's kind. */
export type CommandOp = Command["op"];

/** A worker's answer to one command. */
export interface Reply {
  token: number;
  op: CommandOp;
  error: WireError | null;
  /** hook and rollback events the worker's host emitted while it ran the command. */
  events: HostEvent[];
  /** After "release": the worker's patches, and how long it was parked, in ms. */
  info?: HPInfo[];
  parkedMs?: number;
  warnings?: string[];
}

/** Main thread -> worker, on the worker's port. */
export type ToWorker = { type: "call"; id: number; name: string; args: unknown[] } | { type: "wake" };

/** Worker -> main thread. */
export type FromWorker =
  | { type: "ready" }
  | { type: "init-failed"; error: WireError }
  | { type: "result"; id: number; value: unknown }
  | { type: "call-failed"; id: number; error: WireError }
  | { type: "reply"; reply: Reply }
  /** A command that runs patch code was taken at a safe point (its reply may take the patch code's time). */
  | { type: "taken"; token: number; op: CommandOp }
  | { type: "trap"; hp_id: string; message: string };

/** An error as it crosses threads. */
export interface WireError {
  code: ErrorCode | null;
  message: string;
  details?: Record<string, unknown>;
}

/** Int32 slots per worker in the control block: one mailbox, padded to a cache line. */
export const SLOTS_PER_WORKER = 16;

/** A control block for `workers` workers. */
export function createControlBlock(workers: number): SharedArrayBuffer {
  return new SharedArrayBuffer(workers * SLOTS_PER_WORKER * 4);
}

/** Index of worker `index`'s mailbox counter. */
export function mailboxOf(index: number): number {
  return index * SLOTS_PER_WORKER;
}

/** Any thrown value, ready to cross threads. */
export function toWire(err: unknown): WireError {
  if (isHotwasmError(err)) return { code: err.code, message: err.message, details: plainDetails(err.details) };
  return { code: null, message: err instanceof Error ? err.message : String(err) };
}

/** A worker's error as a HotwasmError naming the worker; its own code is kept (`fallback` if it had none). */
export function fromWire(worker: number, error: WireError, fallback: ErrorCode): HotwasmError {
  return new HotwasmError(error.code ?? fallback, `worker ${worker}: ${error.message}`, {
    details: { ...error.details, worker },
  });
}

function plainDetails(details: Record<string, unknown>): Record<string, unknown> {
  try {
    return structuredClone(details);
  } catch {
    return {};
  }
}
