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

/** The methods (hotgo's `HP` service) and the older names kept as aliases (a null-prototype
 * object: look a method up with `methodAction`, never through the prototype). */
export const RPC_METHODS: Readonly<Record<string, Exclude<AdminAction, "debug" | "none">>> = Object.freeze(Object.assign(Object.create(null), {
  "HP.Load": "load", "HP.Unload": "unload", "HP.Info": "info",
  "HPRpcService.LoadHP": "load", "HPRpcService.UnloadHP": "unload", "HPRpcService.Info": "info",
}));

/** The action a method name asks for, or "none" ("toString", "constructor" and the like name none). */
export function methodAction(method: string): AdminAction {
  return Object.prototype.hasOwnProperty.call(RPC_METHODS, method) ? RPC_METHODS[method]! : "none";
}

/** Most calls in one batch. */
export const MAX_BATCH_CALLS = 100;
/** Longest string id, and longest method name. */
export const MAX_ID_LENGTH = 256;

/** Parses a request body; throws E_BAD_REQUEST (-32600) for an empty batch or a body that is no
 * call at all, E_TOO_LARGE (-32600) for a batch of more than MAX_BATCH_CALLS calls. */
export function parseRpcBody(value: unknown): RpcBody {
  if (!Array.isArray(value)) return { batch: false, calls: [parseRpcCall(value)] };
  if (value.length === 0) throw invalid("an empty batch is not a request");
  if (value.length > MAX_BATCH_CALLS) throw invalid(`the batch has ${value.length} calls; at most ${MAX_BATCH_CALLS} are accepted`, "E_TOO_LARGE");
  return { batch: true, calls: value.map((v) => { try { return parseRpcCall(v); } catch (err) { return err as HotwasmError; } }) };
}

/** Parses one call; throws E_BAD_REQUEST with the JSON-RPC error number in details.rpc. */
export function parseRpcCall(value: unknown): RpcCall {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid("a call must be a JSON object");
  const body = value as Record<string, unknown>;
  if (body.jsonrpc !== undefined && body.jsonrpc !== "2.0") throw invalid('"jsonrpc" must be "2.0" (or absent for JSON-RPC 1.0)');
  if (typeof body.method !== "string" || body.method.length === 0) throw invalid('"method" must be a non-empty string');
  if (body.method.length > MAX_ID_LENGTH) throw invalid(`"method" has ${body.method.length} characters; no method is that long`, "E_TOO_LARGE");
  // The answer echoes the id: only a number, a short string or null (JSON-RPC 2.0's kinds), never a deep or huge value.
  const id = body.id ?? null;
  if (id !== null && typeof id !== "number" && typeof id !== "string") throw invalid('"id" must be a number, a string or null');
  if (typeof id === "string" && id.length > MAX_ID_LENGTH) throw invalid(`"id" has ${id.length} characters; at most ${MAX_ID_LENGTH} are accepted`, "E_TOO_LARGE");
  const version = body.jsonrpc === "2.0" ? "2.0" : "1.0";
  return { version, id, notification: version === "2.0" && !Object.prototype.hasOwnProperty.call(body, "id"), method: body.method, params: body.params };
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
  const existing = existingIdOf(err);
  if (existing !== null) body.existing_hp_id = existing;
  return body;
}

/** The id of the patch already loaded, for an E_ALREADY_LOADED refusal only (never an id the request made up). */
export function existingIdOf(err: HotwasmError): string | null {
  return err.code === "E_ALREADY_LOADED" && typeof err.details.hp_id === "string" ? err.details.hp_id : null;
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

function invalid(message: string, code: ErrorCode = "E_BAD_REQUEST"): HotwasmError {
  return new HotwasmError(code, message, { details: { rpc: -32600 } });
}

/** A refusal of a call's params (JSON-RPC -32602), with the hotwasm code (E_BAD_REQUEST unless given). */
export function invalidParams(message: string, code: ErrorCode = "E_BAD_REQUEST"): HotwasmError {
  return new HotwasmError(code, message, { details: { rpc: -32602 } });
}

/** An unknown method (JSON-RPC -32601). */
export function unknownMethod(method: string): HotwasmError {
  return new HotwasmError("E_NOT_FOUND", `no method ${method}; the methods are HP.Load, HP.Unload, HP.Info`, { details: { rpc: -32601 } });
}
