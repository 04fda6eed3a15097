// hotgo's RPC server for a Host, over JSON-RPC: POST /hp calls HPRpcService.LoadHP / UnloadHP /
// Info with hotgo's request and response types; GET /hpdebug lists the methods with their call
// counts and the host's recent events (hotgo's HandleHTTP("/hp", "/hpdebug")). A Node request
// listener; it imports nothing from Node at run time.

import type { IncomingMessage, ServerResponse } from "node:http";
import { factsOf, reportResult, type AdminAction, type AdminHooks, type RequestFacts } from "./admin-hooks.js";
import type { LoadConfig } from "./config.js";
import { HotwasmError, httpStatusOf, toHotwasmError } from "./errors.js";
import { bufferEvents } from "./event-buffer.js";
import type { Host } from "./host.js";
import { methodNotAllowed, readJson, writeJson } from "./http-body.js";
import { invalidParams, parseRpcCall, rpcError, rpcResult, type RpcCall } from "./rpc-call.js";

/** Options of the RPC server. */
export interface RpcApiOptions extends AdminHooks {
  /** Where calls are posted (default "/hp"). */
  rpcPath?: string;
  /** Where the debug page is (default "/hpdebug"). */
  debugPath?: string;
  /** Largest request body, in bytes (default 1 MiB; an uploaded patch travels in base64). */
  maxBodyBytes?: number;
  /** Checks or rewrites a config before it reaches the host. */
  prepareLoad?: (config: LoadConfig, req: IncomingMessage) => LoadConfig | Promise<LoadConfig>;
  /** How many recent host events the debug page keeps (default 256). */
  eventLimit?: number;
}

/** The service name and methods, as hotgo registers them. */
export const RPC_SERVICE = "HPRpcService";
const METHODS: Record<string, AdminAction> = { LoadHP: "load", UnloadHP: "unload", Info: "info" };

/** A request listener serving hotgo's RPC API for `host` on its two paths. */
export function HPRpcServer(host: Host, options: RpcApiOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const rpcPath = options.rpcPath ?? "/hp";
  const debugPath = options.debugPath ?? "/hpdebug";
  const calls = new Map(Object.keys(METHODS).map((m) => [m, 0]));
  const events = bufferEvents(host, options.eventLimit ?? 256);
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const facts = factsOf(url.pathname === debugPath ? "debug" : "none");
    const state: { call: RpcCall | null } = { call: null };
    const run = async (): Promise<unknown> => {
      await options.authorize?.(req);
      if (url.pathname === debugPath) {
        if (req.method !== "GET" && req.method !== "HEAD") throw methodNotAllowed(req, "GET");
        const methods = [...calls].map(([name, n]) => ({ name, calls: n }));
        return { services: [{ name: RPC_SERVICE, methods }], events: events.since(Number(url.searchParams.get("since") ?? 0) || 0) };
      }
      if (url.pathname !== rpcPath) throw new HotwasmError("E_NOT_FOUND", `no endpoint ${url.pathname}`);
      if (req.method !== "POST") throw methodNotAllowed(req, "POST");
      state.call = parseRpcCall(await readJson(req, options.maxBodyBytes ?? 1024 * 1024));
      const method = state.call.method.startsWith(`${RPC_SERVICE}.`) ? state.call.method.slice(RPC_SERVICE.length + 1) : "";
      facts.action = METHODS[method] ?? "none";
      if (facts.action === "none") throw new HotwasmError("E_NOT_FOUND", `no method ${state.call.method}; the methods are ${Object.keys(METHODS).map((m) => `${RPC_SERVICE}.${m}`).join(", ")}`);
      calls.set(method, calls.get(method)! + 1);
      return rpcResult(state.call, await callMethod(host, facts, state.call.params, req, options));
    };
    void run().then(
      (body) => send(res, req, options, facts, state.call?.notification ? 204 : 200, body),
      (err: unknown) => sendError(res, req, options, facts, state.call, err),
    );
  };
}

/** Runs one method; resolves to its result (hotgo's LoadResponse, UnloadResponse, InfoResponse). */
async function callMethod(host: Host, facts: RequestFacts, params: Record<string, unknown>, req: IncomingMessage, options: RpcApiOptions): Promise<unknown> {
  if (facts.action === "info") return { info: host.getHPInfo() };
  if (facts.action === "unload") {
    const id = params.hp_id;
    if (typeof id !== "string" || id.length === 0 || Object.keys(params).some((k) => k !== "hp_id")) throw invalidParams('UnloadHP takes {"hp_id": "<id>"}');
    facts.hp_id = id;
    const result = await host.unloadHP(id);
    return result.warnings.length > 0 ? { error: "", warnings: result.warnings } : { error: "" };
  }
  let config = { ...params } as LoadConfig & { hp_bytes?: unknown };
  if (typeof config.hp_file === "string") facts.hp_file = config.hp_file;
  if (typeof config.hp_bytes === "string") {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(config.hp_bytes)) throw invalidParams("hp_bytes must be the patch in base64");
    config.hp_bytes = new Uint8Array(Buffer.from(config.hp_bytes, "base64"));
    facts.upload_bytes = config.hp_bytes.length;
  }
  if (options.prepareLoad) config = await options.prepareLoad(config, req);
  facts.hp_id = await host.loadHP(config);
  return { hp_id: facts.hp_id, error: "" };
}

/** The one place the RPC surface turns an error into a response. */
function sendError(res: ServerResponse, req: IncomingMessage, options: RpcApiOptions, facts: RequestFacts, call: RpcCall | null, err: unknown): void {
  const e = toHotwasmError(err);
  send(res, req, options, facts, httpStatusOf(e.code), rpcError(call, e), e);
}

function send(res: ServerResponse, req: IncomingMessage, options: RpcApiOptions, facts: RequestFacts, status: number, body: unknown, err?: HotwasmError): void {
  writeJson(res, status, body);
  reportResult(options, { surface: "rpc", ...facts, ok: !err, status, code: err?.code ?? null, message: err?.message ?? null }, req);
}
