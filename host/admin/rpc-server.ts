// hotgo's RPC server for a Host, over JSON-RPC: POST /hp calls HP.Load / HP.Unload / HP.Info with
// hotgo's LoadRequest / UnloadRequest / InfoRequest and answers LoadResponse / UnloadResponse /
// InfoResponse, single calls and batches; a refused patch is a result with `error` set. GET
// /hpdebug is the status page (hotgo's HandleHTTP("/hp", "/hpdebug")). A Node request listener;
// it imports nothing from Node at run time.

import type { IncomingMessage, ServerResponse } from "node:http";
import { factsOf, reportResult, type AdminAction, type AdminHooks, type RequestFacts } from "./admin-hooks.js";
import { parseLoadConfig, type LoadConfig } from "../model/config.js";
import { collectDebugState } from "./debug-state.js";
import { renderDebugPage } from "./debug-page.js";
import { HotwasmError, httpStatusOf, isHotwasmError, toHotwasmError } from "../errors.js";
import { bufferEvents } from "./event-buffer.js";
import type { AdminTarget } from "./admin-target.js";
import { methodNotAllowed, readJson, writeJson, writeJsonText, writeText } from "./http-body.js";
import {
  invalidParams, isProtocolError, methodAction, paramsOf, parseRpcBody, refusalResult, rpcError, rpcResult, unknownMethod, type RpcCall,
} from "./rpc-call.js";

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
  /** Largest answer to one request, in bytes (default 16 MiB): later calls of a batch are refused with E_TOO_LARGE. */
  maxAnswerBytes?: number;
}

/** The service name, as hotgo registers it. */
export const RPC_SERVICE = "HP";

/** A request listener serving hotgo's RPC API for `host` on its two paths. */
export function HPRpcServer(host: AdminTarget, options: RpcApiOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const rpcPath = options.rpcPath ?? "/hp";
  const debugPath = options.debugPath ?? "/hpdebug";
  const calls = new Map(["HP.Load", "HP.Unload", "HP.Info"].map((m) => [m, 0]));
  const events = bufferEvents(host, options.eventLimit ?? 256);
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const facts = factsOf(url.pathname === debugPath ? "debug" : "none");
    const run = async () => {
      await options.authorize?.(req);
      if (url.pathname === debugPath) {
        if (req.method !== "GET" && req.method !== "HEAD") throw methodNotAllowed(req, "GET");
        const state = collectDebugState(host, calls, events.since(Number(url.searchParams.get("since") ?? 0) || 0));
        if (wantsJson(req, url)) writeJson(res, 200, state);
        else writeText(res, 200, "text/html; charset=utf-8", renderDebugPage(state));
        reportResult(options, { surface: "rpc", ...facts, ...outcomeOf(undefined) }, req);
        return;
      }
      if (url.pathname !== rpcPath) throw new HotwasmError("E_NOT_FOUND", `no endpoint ${url.pathname}`);
      if (req.method !== "POST") throw methodNotAllowed(req, "POST");
      const body = parseRpcBody(await readJson(req, options.maxBodyBytes ?? 1024 * 1024));
      // Answers are serialised one by one against a budget, so a batch cannot amplify into an answer the heap cannot hold.
      const budget = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
      const answers: string[] = [];
      let size = 0;
      let status = 200;
      for (const call of body.calls) {
        const spent = size > budget ? tooLarge(`the answers so far fill the ${budget}-byte budget of one request; this call was not run`) : null;
        let answer = await answerCall(host, call, req, options, calls, spent);
        if (answer.body === null) continue;
        let text = JSON.stringify(answer.body);
        if (size + text.length > budget && !isHotwasmError(call) && methodAction(call.method) === "info") {
          answer = answerError(call, "info", tooLarge(`the answer has ${text.length} bytes; with the batch's other answers it passes the ${budget}-byte budget of one request`));
          text = JSON.stringify(answer.body);
        }
        size += text.length;
        answers.push(text);
        if (!body.batch) status = answer.status;
      }
      if (answers.length === 0) writeJson(res, 204, null);
      else writeJsonText(res, status, body.batch ? `[${answers.join(",")}]` : answers[0]!);
    };
    void run().catch((err: unknown) => {
      // Before any call was read (gate, path, body): one JSON-RPC error for the whole request.
      const answer = answerError(null, "none", err);
      writeJson(res, answer.status, answer.body);
      reportResult(options, { surface: "rpc", ...facts, ...outcomeOf(answer.err) }, req);
    });
  };
}

/** Default budget of one request's answers, in bytes. */
export const DEFAULT_MAX_ANSWER_BYTES = 16 * 1024 * 1024;

function tooLarge(message: string): HotwasmError {
  return new HotwasmError("E_TOO_LARGE", message, { details: { rpc: -32000 } });
}

/** Runs one call (or answers `refusal` without running it) and reports it to the audit hook;
 * resolves to its answer (body null for a notification). */
async function answerCall(host: AdminTarget, call: RpcCall | HotwasmError, req: IncomingMessage, options: RpcApiOptions, calls: Map<string, number>, refusal: HotwasmError | null) {
  const facts = factsOf(isHotwasmError(call) ? "none" : methodAction(call.method));
  let answer: Answer;
  if (isHotwasmError(call)) {
    answer = answerError(null, "none", call);
  } else if (refusal) {
    answer = answerError(call, facts.action, refusal);
  } else {
    try {
      if (facts.action === "none") throw unknownMethod(call.method);
      const canonical = `HP.${facts.action[0]!.toUpperCase()}${facts.action.slice(1)}`;
      calls.set(canonical, calls.get(canonical)! + 1);
      answer = { status: 200, body: rpcResult(call, await callMethod(host, facts, paramsOf(call.params), req, options)) };
    } catch (err) {
      answer = answerError(call, facts.action, err);
    }
    if (call.notification) answer.body = null;
  }
  reportResult(options, { surface: "rpc", ...facts, ...outcomeOf(answer.err) }, req);
  return answer;
}

interface Answer { status: number; body: unknown; err?: HotwasmError }

/** The one place the RPC surface turns an error into an answer: a protocol error (the spec's
 * numbers, HTTP 4xx/5xx), or a refusal (hotgo's response with `error`, `code`, `status`; HTTP 200). */
function answerError(call: RpcCall | null, action: AdminAction, err: unknown): Answer {
  const e = toHotwasmError(err);
  if (call && !isProtocolError(e)) return { status: 200, body: rpcResult(call, refusalResult(action, e)), err: e };
  const status = e.details.rpc === -32601 ? 404 : isProtocolError(e) ? (e.code === "E_INTERNAL" ? 500 : 400) : httpStatusOf(e.code);
  return { status, body: rpcError(call, e), err: e };
}

/** How a request ended, for the audit hook: a refusal is recorded with the HTTP API's status for it. */
function outcomeOf(e: HotwasmError | undefined) {
  if (!e) return { ok: true, status: 200, code: null, message: null };
  return { ok: false, status: httpStatusOf(e.code), code: e.code, message: e.message };
}

/** Runs one method; resolves to its result (hotgo's LoadResponse, UnloadResponse, InfoResponse). */
async function callMethod(host: AdminTarget, facts: RequestFacts, params: Record<string, unknown>, req: IncomingMessage, options: RpcApiOptions): Promise<unknown> {
  if (facts.action === "info") return { info: host.getHPInfo() };
  if (facts.action === "unload") {
    const id = params.hp_id;
    if (typeof id !== "string" || id.length === 0 || Object.keys(params).some((k) => k !== "hp_id")) throw invalidParams('HP.Unload takes {"hp_id": "<id>"}');
    facts.hp_id = id;
    const result = await host.unloadHP(id);
    return result.warnings.length > 0 ? { error: "", warnings: result.warnings } : { error: "" };
  }
  const raw = { ...params } as Record<string, unknown>;
  if (typeof raw.hp_file === "string") facts.hp_file = raw.hp_file;
  if (typeof raw.hp_bytes === "string") {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw.hp_bytes)) throw invalidParams("hp_bytes must be the patch in base64");
    raw.hp_bytes = new Uint8Array(Buffer.from(raw.hp_bytes, "base64"));
    facts.upload_bytes = (raw.hp_bytes as Uint8Array).length;
  }
  let config: LoadConfig;
  try {
    config = parseLoadConfig(raw);
  } catch (err) {
    throw invalidParams((err as Error).message, "E_INVALID_CONFIG");
  }
  if (options.prepareLoad) config = await options.prepareLoad(config, req);
  facts.hp_id = await host.loadHP(config);
  return { hp_id: facts.hp_id, error: "" };
}

function wantsJson(req: IncomingMessage, url: URL): boolean {
  const format = url.searchParams.get("format");
  if (format !== null) return format === "json";
  return /\bapplication\/json\b/.test(String(req.headers.accept ?? ""));
}

