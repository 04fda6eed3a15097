// hotgo's HTTP API for a Host or a HostPool: POST /hp/v1/load, POST /hp/v1/unload, GET /hp/v1/info, with
// hotgo's JSON shapes. A Node request listener; it imports nothing from Node at run time.

import type { IncomingMessage, ServerResponse } from "node:http";
import { HotwasmError, httpStatusOf, toHotwasmError } from "./errors.js";
import type { PatchTarget } from "./patch-target.js";
import type { LoadConfig } from "./config.js";

/** Options of the HTTP API. */
export interface HttpApiOptions {
  /** Largest request body, in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Checks or rewrites a config before it reaches the host (the admin plane confines paths here). */
  prepareLoad?: (config: LoadConfig, req: IncomingMessage) => LoadConfig | Promise<LoadConfig>;
}

/** A request listener serving hotgo's HTTP API for `host` (a Host or a HostPool). */
export function HPHttpServer(host: PatchTarget, options: HttpApiOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  return (req, res) => {
    void route(host, req, res, maxBody, options).catch((err: unknown) => sendError(res, "error", err));
  };
}

type Shape = "load" | "unload" | "error";

async function route(host: PatchTarget, req: IncomingMessage, res: ServerResponse, maxBody: number, options: HttpApiOptions): Promise<void> {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (path === "/hp/v1/info") {
    if (req.method !== "GET" && req.method !== "HEAD") return sendError(res, "error", methodNotAllowed(req, "GET"));
    return sendJson(res, 200, host.getHPInfo());
  }
  if (path === "/hp/v1/load" || path === "/hp/v1/unload") {
    const shape: Shape = path === "/hp/v1/load" ? "load" : "unload";
    if (req.method !== "POST") return sendError(res, shape, methodNotAllowed(req, "POST"));
    try {
      const body = await readJsonObject(req, maxBody);
      if (shape === "load") {
        const config = options.prepareLoad ? await options.prepareLoad(body as LoadConfig, req) : (body as LoadConfig);
        const id = await host.loadHP(config);
        return sendJson(res, 200, { hp_id: id, error: "" });
      }
      const id = body.hp_id;
      if (typeof id !== "string" || id.length === 0 || Object.keys(body).some((k) => k !== "hp_id")) {
        throw new HotwasmError("E_BAD_REQUEST", 'the unload body must be {"hp_id": "<id>"}');
      }
      const result = await host.unloadHP(id);
      return sendJson(res, 200, result.warnings.length > 0 ? { error: "", warnings: result.warnings } : { error: "" });
    } catch (err) {
      return sendError(res, shape, err);
    }
  }
  return sendError(res, "error", new HotwasmError("E_NOT_FOUND", `no endpoint ${path}`));
}

/** The one place HTTP turns an error into a response: hotgo's shape with the message in `error`. */
function sendError(res: ServerResponse, shape: Shape, err: unknown): void {
  const e = toHotwasmError(err);
  const body: Record<string, unknown> = shape === "load" ? { hp_id: "" } : {};
  body.error = e.toLine();
  body.code = e.code;
  if (Array.isArray(e.details.problems)) body.problems = e.details.problems;
  if (typeof e.details.hp_id === "string") body.existing_hp_id = e.details.hp_id;
  if (res.headersSent) { res.destroy(); return; }
  sendJson(res, httpStatusOf(e.code), body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function methodNotAllowed(req: IncomingMessage, allowed: string): HotwasmError {
  return new HotwasmError("E_METHOD_NOT_ALLOWED", `${req.method} is not allowed here; use ${allowed}`);
}

/** Reads the body (any content type: curl -d sends a form type) as one JSON object. */
async function readJsonObject(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) throw new HotwasmError("E_BODY_TOO_LARGE", `the body has ${declared} bytes; the limit is ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HotwasmError("E_BODY_TOO_LARGE", `the body is over the limit of ${limit} bytes`);
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (cause) {
    throw new HotwasmError("E_BAD_REQUEST", "the body is not valid JSON", { cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HotwasmError("E_BAD_REQUEST", "the body must be a JSON object");
  }
  return value as Record<string, unknown>;
}
