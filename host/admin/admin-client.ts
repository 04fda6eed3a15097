// A client of the admin plane (what `hotwasm load / unload / info` use): hotgo's HTTP API or its
// JSON-RPC API, with a bearer token; refusals come back as HotwasmErrors with the server's code.
// Uses fetch only, so it runs in browsers too.

import type { SymbolMap, TrapPolicy } from "../model/config.js";
import { ERROR_CODES, HotwasmError, describeError, type ErrorCode } from "../errors.js";
import type { HPInfo } from "../core/host.js";

/** Where and how to reach a server. */
export interface AdminClientOptions {
  /** The server's base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  token?: string;
  /** Call JSON-RPC (POST /hp) instead of the HTTP API. */
  rpc?: boolean;
}

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

/** A client for the server at `options.url`. */
export function createAdminClient(options: AdminClientOptions): AdminClient {
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
      load: async (req) => String((await call("Load", req.hp_bytes ? { ...req, hp_bytes: toBase64(req.hp_bytes) } : { ...req })).hp_id),
      unload: async (hpId) => ({ warnings: ((await call("Unload", { hp_id: hpId })).warnings as string[] | undefined) ?? [] }),
      info: async () => (await call("Info", {})).info as HPInfo[],
    };
  }
  return {
    async load(req) {
      if (!req.hp_bytes) return String((await request(`${base}/hp/v1/load`, { method: "POST", headers: headers({ "content-type": "application/json" }), body: JSON.stringify(req) })).hp_id);
      const query = new URLSearchParams();
      if (req.replace_config) query.set("replace_config", JSON.stringify(req.replace_config));
      if (req.ref_config) query.set("ref_config", JSON.stringify(req.ref_config));
      if (req.policy) query.set("policy", JSON.stringify(req.policy));
      const url = `${base}/hp/v1/load${query.size > 0 ? `?${query}` : ""}`;
      return String((await request(url, { method: "POST", headers: headers({ "content-type": "application/wasm" }), body: req.hp_bytes as BodyInit })).hp_id);
    },
    unload: async (hpId) => ({ warnings: ((await request(`${base}/hp/v1/unload`, { method: "POST", headers: headers({ "content-type": "application/json" }), body: JSON.stringify({ hp_id: hpId }) })).warnings as string[] | undefined) ?? [] }),
    info: async () => (await request(`${base}/hp/v1/info`, { headers: headers({}) })) as unknown as HPInfo[],
  };
}

/** Sends one request; a refusal (non-2xx, a JSON-RPC error) becomes a HotwasmError with the server's code. */
async function request(url: string, init: RequestInit): Promise<Record<string, unknown>> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, init);
    text = await res.text();
  } catch (cause) {
    const reason = cause instanceof Error && cause.cause instanceof Error ? cause.cause.message : describeError(cause);
    throw new HotwasmError("E_ADMIN_UNREACHABLE", `cannot reach ${new URL(url).origin}: ${reason}`, { cause });
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw new HotwasmError("E_ADMIN_UNREACHABLE", `the server answered HTTP ${res.status} with something other than JSON`, { cause });
  }
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

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
