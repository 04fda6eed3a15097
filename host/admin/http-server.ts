// hotgo's HTTP API for a Host or a HostPool: POST /hp/v1/load, POST /hp/v1/unload, GET /hp/v1/info, with
// hotgo's JSON shapes; a load may also upload the patch's bytes (application/wasm). A Node
// request listener; it imports nothing from Node at run time.

import type { IncomingMessage, ServerResponse } from "node:http";
import { factsOf, reportResult, type AdminAction, type AdminHooks, type RequestFacts } from "./admin-hooks.js";
import type { LoadConfig } from "../model/config.js";
import { HotwasmError, httpStatusOf, toHotwasmError } from "../errors.js";
import type { PatchTarget } from "../core/patch-target.js";
import { isWasmUpload, methodNotAllowed, readBody, readJsonObject, writeJson } from "./http-body.js";
import { existingIdOf } from "./rpc-call.js";

/** Options of the HTTP API. */
export interface HttpApiOptions extends AdminHooks {
  /** Largest JSON request body, in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Largest uploaded patch, in bytes (default 64 MiB). */
  maxUploadBytes?: number;
  /** Checks or rewrites a config before it reaches the host. */
  prepareLoad?: (config: LoadConfig, req: IncomingMessage) => LoadConfig | Promise<LoadConfig>;
}

/** A request listener serving hotgo's HTTP API for `host` (a Host or a HostPool). */
export function HPHttpServer(host: PatchTarget, options: HttpApiOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const facts = factsOf(ACTIONS.get(path) ?? "none");
    void serve(host, req, facts, options).then(
      (body) => send(res, req, options, facts, 200, body),
      (err: unknown) => sendError(res, req, options, facts, err),
    );
  };
}

const ACTIONS = new Map<string, AdminAction>([["/hp/v1/load", "load"], ["/hp/v1/unload", "unload"], ["/hp/v1/info", "info"]]);

/** Serves one request; resolves to the success body or throws the refusal. */
async function serve(host: PatchTarget, req: IncomingMessage, facts: RequestFacts, options: HttpApiOptions): Promise<unknown> {
  await options.authorize?.(req);
  if (facts.action === "none") throw new HotwasmError("E_NOT_FOUND", `no endpoint ${new URL(req.url ?? "/", "http://localhost").pathname}`);
  if (facts.action === "info") {
    if (req.method !== "GET" && req.method !== "HEAD") throw methodNotAllowed(req, "GET");
    return host.getHPInfo();
  }
  if (req.method !== "POST") throw methodNotAllowed(req, "POST");
  if (facts.action === "load") {
    let config = isWasmUpload(req) ? await readUpload(req, facts, options) : ((await readJsonObject(req, options.maxBodyBytes ?? 1024 * 1024)) as LoadConfig);
    if (typeof config.hp_file === "string") facts.hp_file = config.hp_file;
    if (options.prepareLoad) config = await options.prepareLoad(config, req);
    facts.hp_id = await host.loadHP(config);
    return { hp_id: facts.hp_id, error: "" };
  }
  const body = await readJsonObject(req, options.maxBodyBytes ?? 1024 * 1024);
  const id = body.hp_id;
  if (typeof id !== "string" || id.length === 0 || Object.keys(body).some((k) => k !== "hp_id")) {
    throw new HotwasmError("E_BAD_REQUEST", 'the unload body must be {"hp_id": "<id>"}');
  }
  facts.hp_id = id;
  const result = await host.unloadHP(id);
  return result.warnings.length > 0 ? { error: "", warnings: result.warnings } : { error: "" };
}

/** An upload: the body is the patch; replace_config, ref_config and policy come as JSON in the query. */
async function readUpload(req: IncomingMessage, facts: RequestFacts, options: HttpApiOptions): Promise<LoadConfig> {
  const query = new URL(req.url ?? "/", "http://localhost").searchParams;
  const unknown = [...query.keys()].filter((k) => k !== "replace_config" && k !== "ref_config" && k !== "policy");
  if (unknown.length > 0) throw new HotwasmError("E_BAD_REQUEST", `unknown query parameter ${unknown[0]}; an upload takes replace_config, ref_config and policy`);
  const config: Record<string, unknown> = {};
  for (const key of ["replace_config", "ref_config", "policy"] as const) {
    const text = query.get(key);
    if (text === null) continue;
    try {
      config[key] = JSON.parse(text) as unknown;
    } catch (cause) {
      throw new HotwasmError("E_BAD_REQUEST", `the query parameter ${key} is not valid JSON`, { cause });
    }
  }
  const bytes = await readBody(req, options.maxUploadBytes ?? 64 * 1024 * 1024, "E_PATCH_TOO_LARGE");
  facts.upload_bytes = bytes.length;
  return { ...config, hp_bytes: bytes } as LoadConfig;
}

/** The one place HTTP turns an error into a response: hotgo's shape with the message in `error`. */
function sendError(res: ServerResponse, req: IncomingMessage, options: HttpApiOptions, facts: RequestFacts, err: unknown): void {
  const e = toHotwasmError(err);
  const body: Record<string, unknown> = facts.action === "load" ? { hp_id: "" } : {};
  body.error = e.toLine();
  body.code = e.code;
  if (Array.isArray(e.details.problems)) body.problems = e.details.problems;
  const existing = existingIdOf(e);
  if (existing !== null) body.existing_hp_id = existing;
  send(res, req, options, facts, httpStatusOf(e.code), body, e);
}

function send(res: ServerResponse, req: IncomingMessage, options: HttpApiOptions, facts: RequestFacts, status: number, body: unknown, err?: HotwasmError): void {
  writeJson(res, status, body);
  reportResult(options, { surface: "http", ...facts, ok: !err, status, code: err?.code ?? null, message: err?.message ?? null }, req);
}
