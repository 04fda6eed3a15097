// Request bodies in (bounded: raw bytes for uploads, or JSON) and JSON answers out, shared by the
// HTTP and JSON-RPC surfaces; imports nothing from Node at run time.

import type { IncomingMessage, ServerResponse } from "node:http";
import { HotwasmError, type ErrorCode } from "../errors.js";

/** Reads the whole body; over `limit` bytes (declared or sent) is refused with `code`. */
export async function readBody(req: IncomingMessage, limit: number, code: ErrorCode = "E_BODY_TOO_LARGE"): Promise<Uint8Array> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) throw new HotwasmError(code, `the body has ${declared} bytes; the limit is ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HotwasmError(code, `the body is over the limit of ${limit} bytes`);
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** Reads the body (any content type: curl -d sends a form type) as JSON; `object` demands an object. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const bytes = await readBody(req, limit);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new HotwasmError("E_BAD_REQUEST", "the body is not valid JSON", { cause, details: { parse: true } });
  }
}

/** Reads the body as one JSON object. */
export async function readJsonObject(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const value = await readJson(req, limit);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HotwasmError("E_BAD_REQUEST", "the body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

/** True when the request's content type is application/wasm (a patch upload). */
export function isWasmUpload(req: IncomingMessage): boolean {
  return (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase() === "application/wasm";
}

/** Writes a JSON answer (or, after a partial answer, drops the connection); 204 has no body. */
export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (status === 204) {
    res.writeHead(204).end();
    return;
  }
  writeJsonText(res, status, JSON.stringify(body));
}

/** Writes JSON already serialised (a batch's answers joined). */
export function writeJsonText(res: ServerResponse, status: number, json: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = `${json}\n`;
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Writes a text answer (the debug page). */
export function writeText(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text), "x-content-type-options": "nosniff" });
  res.end(text);
}

/** The refusal of a request with the wrong method. */
export function methodNotAllowed(req: IncomingMessage, allowed: string): HotwasmError {
  return new HotwasmError("E_METHOD_NOT_ALLOWED", `${req.method} is not allowed here; use ${allowed}`);
}
