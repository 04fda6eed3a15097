// A client of the admin plane (what `hotwasm load / unload / info` use): hotgo's HTTP API or its
// JSON-RPC API, with a bearer token; refusals come back as HotwasmErrors with the server's code,
// answers of the wrong shape as E_ADMIN_UNREACHABLE, no answer in time as E_ADMIN_TIMEOUT.
// Uses fetch only, so it runs in browsers too.

import type { SymbolMap, TrapPolicy } from "../model/config.js";
import { ERROR_CODES, HotwasmError, describeError, type ErrorCode } from "../errors.js";
import type { HPInfo } from "../core/host.js";
import { checkToken } from "./admin-token.js";

/** Where and how to reach a server. */
export interface AdminClientOptions {
  /** The server's base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  token?: string;
  /** Call JSON-RPC (POST /hp) instead of the HTTP API. */
  rpc?: boolean;
  /** Longest wait for an answer, in milliseconds (default 30 s). */
  timeoutMs?: number;
}

/** How long a client waits for an answer by default. */
export const DEFAULT_CLIENT_TIMEOUT_MS = 30_000;

/** A load: a path on the server (confined to its patch directory) or the patch's bytes (an upload). */
export interface AdminLoadRequest {
  hp_file?: string;
  hp_bytes?: Uint8Array;
  replace_config?: SymbolMap;
  ref_config?: SymbolMap;
  /** Trap containment for this load. */
  policy?: TrapPolicy;
}

/** The admin operations of one server. */
export interface AdminClient {
  load(request: AdminLoadRequest): Promise<string>;
  unload(hpId: string): Promise<{ warnings: string[] }>;
  info(): Promise<HPInfo[]>;
}

/** A client for the server at `options.url`; a token that no server accepts is refused here (E_ADMIN_CONFIG). */
export function createAdminClient(options: AdminClientOptions): AdminClient {
  if (options.token !== undefined) checkToken(options.token);
  const timeoutMs = options.timeoutMs ?? DEFAULT_CLIENT_TIMEOUT_MS;
  const request = (url: string, init: RequestInit) => send(url, init, timeoutMs);
  const base = options.url.replace(/\/+$/, "");
  const headers = (extra: Record<string, string>) => (options.token ? { ...extra, authorization: `Bearer ${options.token}` } : extra);
  let nextId = 1;
  const call = async (method: string, params: Record<string, unknown>) => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: nextId++, method: `HP.${method}`, params });
    const result = (await request(`${base}/hp`, { method: "POST", headers: headers({ "content-type": "application/json" }), body })).result;
    if (typeof result !== "object" || result === null) throw new HotwasmError("E_ADMIN_UNREACHABLE", "the server's JSON-RPC answer has no result");
    const r = result as Record<string, unknown>;
    if (typeof r.error === "string" && r.error !== "") throw refusal(r.error, r.code, Number(r.status), r.problems);
    return r;
  };
  if (options.rpc) {
    return {
      load: async (req) => hpIdOf(await call("Load", req.hp_bytes ? { ...req, hp_bytes: toBase64(req.hp_bytes) } : { ...req })),
      unload: async (hpId) => ({ warnings: warningsOf(await call("Unload", { hp_id: hpId })) }),
      info: async () => infoOf((await call("Info", {})).info),
    };
  }
  return {
    async load(req) {
      if (!req.hp_bytes) return hpIdOf(await request(`${base}/hp/v1/load`, { method: "POST", headers: headers({ "content-type": "application/json" }), body: JSON.stringify(req) }));
      const query = new URLSearchParams();
      if (req.replace_config) query.set("replace_config", JSON.stringify(req.replace_config));
      if (req.ref_config) query.set("ref_config", JSON.stringify(req.ref_config));
      if (req.policy) query.set("policy", JSON.stringify(req.policy));
      const url = `${base}/hp/v1/load${query.size > 0 ? `?${query}` : ""}`;
      return hpIdOf(await request(url, { method: "POST", headers: headers({ "content-type": "application/wasm" }), body: req.hp_bytes as BodyInit }));
    },
    unload: async (hpId) => ({ warnings: warningsOf(await request(`${base}/hp/v1/unload`, { method: "POST", headers: headers({ "content-type": "application/json" }), body: JSON.stringify({ hp_id: hpId }) })) }),
    info: async () => infoOf(await request(`${base}/hp/v1/info`, { headers: headers({}) })),
  };
}

/** Sends one request; a refusal (non-2xx, a JSON-RPC error) becomes a HotwasmError with the server's code. */
async function send(url: string, init: RequestInit, timeoutMs: number): Promise<Record<string, unknown>> {
  let res: Response;
  let text: string;
  try {
    const signal = AbortSignal.timeout(timeoutMs);
    res = await fetch(url, { ...init, signal });
    text = await res.text();
  } catch (cause) {
    if (cause instanceof Error && cause.name === "TimeoutError") {
      throw new HotwasmError("E_ADMIN_TIMEOUT", `${new URL(url).origin} did not answer within ${timeoutMs} ms; a load or unload may still take effect there (see hotwasm info)`, { cause });
    }
    const reason = cause instanceof Error && cause.cause instanceof Error ? cause.cause.message : describeError(cause);
    throw new HotwasmError("E_ADMIN_UNREACHABLE", `cannot reach ${new URL(url).origin}: ${reason}`, { cause });
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw new HotwasmError("E_ADMIN_UNREACHABLE", `the server answered HTTP ${res.status} with something other than JSON`, { cause });
  }
  if (typeof body !== "object" || body === null) throw unexpected(`HTTP ${res.status} with JSON that is not an object or a list`);
  const rpcError = typeof body.error === "object" && body.error !== null ? (body.error as { message?: unknown; data?: { code?: unknown; problems?: unknown } }) : null;
  if (res.ok && !rpcError) return body;
  if (rpcError) throw refusal(rpcError.message, rpcError.data?.code, res.status, rpcError.data?.problems);
  throw refusal(body.error, body.code, res.status, body.problems);
}

/** A server's refusal (`"E_CODE: message"` and its code) as a HotwasmError naming the HTTP status. */
function refusal(lineValue: unknown, codeValue: unknown, status: number, problems: unknown): HotwasmError {
  const line = String(lineValue);
  const code = String(codeValue);
  const known = Object.prototype.hasOwnProperty.call(ERROR_CODES, code) ? (code as ErrorCode) : "E_ADMIN_UNREACHABLE";
  const message = line.startsWith(`${code}: `) ? line.slice(code.length + 2) : line;
  return new HotwasmError(known, `${message} (HTTP ${status})`, { details: { status, problems } });
}

/** The hp_id of a load's answer. */
function hpIdOf(answer: Record<string, unknown>): string {
  if (typeof answer.hp_id !== "string" || answer.hp_id === "") throw unexpected("a load answer without an hp_id");
  return answer.hp_id;
}

/** The warnings of an unload's answer (none when absent). */
function warningsOf(answer: Record<string, unknown>): string[] {
  const { warnings } = answer;
  if (warnings === undefined) return [];
  if (!Array.isArray(warnings) || !warnings.every((w) => typeof w === "string")) throw unexpected("an unload answer whose warnings are not strings");
  return warnings;
}

/** The patch list of an info answer: a list of objects with an hp_id each. */
function infoOf(answer: unknown): HPInfo[] {
  const ok = Array.isArray(answer) && answer.every((p) => typeof p === "object" && p !== null && typeof (p as { hp_id?: unknown }).hp_id === "string");
  if (!ok) throw unexpected("an info answer that is not a list of patches");
  return answer as HPInfo[];
}

/** An answer of the wrong shape: not a hotwasm admin server, or another version of one. */
function unexpected(what: string): HotwasmError {
  return new HotwasmError("E_ADMIN_UNREACHABLE", `the server answered ${what}; is it a hotwasm serve of this version?`);
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
