// The dev loop's wire format (`hotwasm dev`): the events a dev server streams to its clients as
// Server-Sent Events, and the acknowledgement a client posts back. Shared by server and clients.

import type { ErrorCode } from "../errors.js";

/** Where a dev server serves what, relative to its URL. */
export const DEV_PATHS = {
  events: "/__hotwasm/events",
  base: "/__hotwasm/app.wasm",
  examples: "/__hotwasm/patches.json",
  ack: "/__hotwasm/ack",
  reload: "/__hotwasm/reload",
} as const;

/** The dev patch: the diff of the sources now against the running base (hp_bytes null: no difference). */
export interface DevPatch {
  /** Counts up with every build the server starts; a later seq supersedes an earlier one. */
  seq: number;
  /** Build id of the base the patch is for. */
  base: string;
  /** Functions it replaces, and new ones it brings. */
  changed: string[];
  added: string[];
  /** The patch in base64; null when the sources are back to the base (unload the dev patch). */
  hp_bytes: string | null;
  /** Files whose save started the build, and how long the build took. */
  files: string[];
  build_ms: number;
}

/** An edit the server could not turn into a patch. */
export interface DevProblem {
  seq: number;
  /** "refused": a patch cannot apply the edit; "compile": the compiler reported errors; "failed": anything else. */
  kind: "refused" | "compile" | "failed";
  code: ErrorCode;
  message: string;
  /** Each edit a patch cannot apply, for "refused". */
  problems: { code: string; message: string }[];
  /** The compiler's messages, for "compile". */
  log: string;
  files: string[];
}

/** One event from the server. */
export type DevEvent =
  | { type: "hello"; base: string; baseFile: string | null; patch: DevPatch | null; problem: DevProblem | null }
  | { type: "building"; seq: number; files: string[] }
  | { type: "patch"; patch: DevPatch }
  | { type: "problem"; problem: DevProblem }
  | { type: "reload"; base: string };

/** What a client reports after applying (or failing to apply) a dev patch. */
export interface DevAck {
  client: string;
  seq: number;
  ok: boolean;
  /** The dev patch's id in the client's host after the change (null: none in force). */
  hp_id: string | null;
  apply_ms: number;
  code?: string;
  message?: string;
}

/** Bytes as base64 (in browsers and Node alike). */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** base64 back to bytes. */
export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
