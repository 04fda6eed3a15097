// JSON-RPC requests and responses as the admin plane speaks them: JSON-RPC 2.0 (single calls and
// batches), and the 1.0 shape of Go's net/rpc/jsonrpc codec (params as a one-element array, error
// as a string) that hotgo's RPC clients use. Pure functions; the transport is in rpc-server.ts.

import { HotwasmError, httpStatusOf, type ErrorCode } from "../errors.js";
import type { AdminAction } from "./admin-hooks.js";

/** One parsed call. */
export interface RpcCall {
  version: "2.0" | "1.0";
  id: unknown;
  /** A 2.0 request without an id: it gets no answer. */
  notification: boolean;
  method: string;
  /** The params as sent; `paramsOf` reads them. */
  params: unknown;
}

/** A request body: one call or a batch; an element that is not a call is its protocol error. */
export interface RpcBody {
  batch: boolean;
  calls: (RpcCall | HotwasmError)[];
}

/** The methods (hotgo's `HP` service) and the older names kept as aliases. */
export const RPC_METHODS: Record<string, Exclude<AdminAction, "debug" | "none">> = {
  "HP.Load": "load", "HP.Unload": "unload", "HP.Info": "info",
  "HPRpcService.LoadHP": "load", "HPRpcService.UnloadHP": "unload", "HPRpcService.Info": "info",
};

/** Parses a request body; throws E_BAD_REQUEST (-32600) for an empty batch or a body that is no call at all. */
export function parseRpcBody(value: unknown): RpcBody {
  if (!Array.isArray(value)) return { batch: false, calls: [parseRpcCall(value)] };
  if (value.length === 0) throw invalid("an empty batch is not a request");
  return { batch: true, calls: value.map((v) => { try { return parseRpcCall(v); } catch (err) { return err as HotwasmError; } }) };
}

/** Parses one call; throws E_BAD_REQUEST with the JSON-RPC error number in details.rpc. */
export function parseRpcCall(value: unknown): RpcCall {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid("a call must be a JSON object");
  const body = value as Record<string, unknown>;
  if (body.jsonrpc !== undefined && body.jsonrpc !== "2.0") throw invalid('"jsonrpc" must be "2.0" (or absent for JSON-RPC 1.0)');
  if (typeof body.method !== "string" || body.method.length === 0) throw invalid('"method" must be a non-empty string');
  const version = body.jsonrpc === "2.0" ? "2.0" : "1.0";
  return { version, id: body.id ?? null, notification: version === "2.0" && !("id" in body), method: body.method, params: body.params };
}

/** The success answer to `call`. */
export function rpcResult(call: RpcCall, result: unknown): Record<string, unknown> {
  return call.version === "2.0" ? { jsonrpc: "2.0", id: call.id, result } : { id: call.id, result, error: null };
}

/** A refused operation as hotgo's response shape: `error` set, the code and the HTTP API's status beside it. */
export function refusalResult(action: AdminAction, err: HotwasmError): Record<string, unknown> {
  const body: Record<string, unknown> = action === "load" ? { hp_id: "" } : action === "info" ? { info: [] } : {};
  body.error = err.toLine();
  body.code = err.code;
  body.status = httpStatusOf(err.code);
  if (Array.isArray(err.details.problems)) body.problems = err.details.problems;
  if (typeof err.details.hp_id === "string" && err.code !== "E_UNKNOWN_PATCH") body.existing_hp_id = err.details.hp_id;
  return body;
}

/** The protocol-error answer to `call` (or to a request that is no call, when `call` is null). */
export function rpcError(call: RpcCall | null, err: HotwasmError): Record<string, unknown> {
  if (call?.version === "1.0") return { id: call.id, result: null, error: err.toLine() };
  return { jsonrpc: "2.0", id: call?.id ?? null, error: { code: rpcNumberOf(err), message: err.toLine(), data: { code: err.code } } };
}

/** The JSON-RPC error number: the spec's for protocol errors, -32000 for the gate's refusals. */
export function rpcNumberOf(err: HotwasmError): number {
  if (typeof err.details.rpc === "number") return err.details.rpc;
  if (err.details.parse === true) return -32700;
  return RPC_NUMBERS[err.code] ?? -32000;
}

/** True when `err` is a JSON-RPC protocol error (answered as an error, not as a refusal result). */
export function isProtocolError(err: HotwasmError): boolean {
  return typeof err.details.rpc === "number" || err.details.parse === true || err.code === "E_INTERNAL";
}

const RPC_NUMBERS: Partial<Record<ErrorCode, number>> = { E_INTERNAL: -32603 };

/** A call's params as one object; throws -32602 otherwise. */
export function paramsOf(params: unknown): Record<string, unknown> {
  // Go's jsonrpc codec sends [params]; JSON-RPC 2.0 sends the object itself.
  const value = Array.isArray(params) && params.length === 1 ? params[0] : params;
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw invalidParams("params must be an object (or a one-element array holding one)");
  return value as Record<string, unknown>;
}

function invalid(message: string): HotwasmError {
  return new HotwasmError("E_BAD_REQUEST", message, { details: { rpc: -32600 } });
}

/** A refusal of a call's params (JSON-RPC -32602), with the hotwasm code (E_BAD_REQUEST unless given). */
export function invalidParams(message: string, code: ErrorCode = "E_BAD_REQUEST"): HotwasmError {
  return new HotwasmError(code, message, { details: { rpc: -32602 } });
}

/** An unknown method (JSON-RPC -32601). */
export function unknownMethod(method: string): HotwasmError {
  return new HotwasmError("E_NOT_FOUND", `no method ${method}; the methods are HP.Load, HP.Unload, HP.Info`, { details: { rpc: -32601 } });
}
