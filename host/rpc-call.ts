// JSON-RPC requests and responses as the admin plane speaks them: JSON-RPC 2.0, and the 1.0 shape
// of Go's net/rpc/jsonrpc codec (params as a one-element array, error as a string) that hotgo's
// RPC clients use. Pure functions; the transport is in rpc-server.ts.

import { HotwasmError, type ErrorCode } from "./errors.js";

/** One parsed call. */
export interface RpcCall {
  version: "2.0" | "1.0";
  id: unknown;
  /** A 2.0 request without an id: it gets no answer body. */
  notification: boolean;
  method: string;
  params: Record<string, unknown>;
}

/** Parses a request body into a call; throws E_BAD_REQUEST with the JSON-RPC error number in details.rpc. */
export function parseRpcCall(value: unknown): RpcCall {
  if (Array.isArray(value)) throw invalid("batch requests are not supported; send one call per request");
  if (typeof value !== "object" || value === null) throw invalid("the request must be a JSON object");
  const body = value as Record<string, unknown>;
  if (body.jsonrpc !== undefined && body.jsonrpc !== "2.0") throw invalid('"jsonrpc" must be "2.0" (or absent for JSON-RPC 1.0)');
  if (typeof body.method !== "string" || body.method.length === 0) throw invalid('"method" must be a non-empty string');
  const version = body.jsonrpc === "2.0" ? "2.0" : "1.0";
  return { version, id: body.id ?? null, notification: version === "2.0" && !("id" in body), method: body.method, params: paramsOf(body.params) };
}

/** The success answer to `call`. */
export function rpcResult(call: RpcCall, result: unknown): Record<string, unknown> {
  return call.version === "2.0" ? { jsonrpc: "2.0", id: call.id, result } : { id: call.id, result, error: null };
}

/** The error answer to `call` (or to an unparsed request when `call` is null). */
export function rpcError(call: RpcCall | null, err: HotwasmError): Record<string, unknown> {
  if (call?.version === "1.0") return { id: call.id, result: null, error: err.toLine() };
  const data: Record<string, unknown> = { code: err.code };
  if (Array.isArray(err.details.problems)) data.problems = err.details.problems;
  if (typeof err.details.hp_id === "string") data.existing_hp_id = err.details.hp_id;
  return { jsonrpc: "2.0", id: call?.id ?? null, error: { code: rpcNumberOf(err), message: err.toLine(), data } };
}

/** The JSON-RPC error number of a refusal: the spec's numbers for protocol errors, -32000 for the rest. */
export function rpcNumberOf(err: HotwasmError): number {
  if (typeof err.details.rpc === "number") return err.details.rpc;
  if (err.details.parse === true) return -32700;
  return RPC_NUMBERS[err.code] ?? -32000;
}

const RPC_NUMBERS: Partial<Record<ErrorCode, number>> = { E_NOT_FOUND: -32601, E_INVALID_CONFIG: -32602, E_INTERNAL: -32603 };

function paramsOf(params: unknown): Record<string, unknown> {
  // Go's jsonrpc codec sends [params]; JSON-RPC 2.0 sends the object itself.
  const value = Array.isArray(params) && params.length === 1 ? params[0] : params;
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw invalidParams("params must be an object (or a one-element array holding one)");
  return value as Record<string, unknown>;
}

function invalid(message: string): HotwasmError {
  return new HotwasmError("E_BAD_REQUEST", message, { details: { rpc: -32600 } });
}

/** A refusal of a call's params (JSON-RPC -32602). */
export function invalidParams(message: string): HotwasmError {
  return new HotwasmError("E_BAD_REQUEST", message, { details: { rpc: -32602 } });
}
