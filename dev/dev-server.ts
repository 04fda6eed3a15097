// `hotwasm dev`'s server: builds the base, serves the page and the base, watches the sources and
// pushes every save's dev patch to the connected pages and Node hosts (Server-Sent Events).
// Loopback by default; requests naming another host (DNS rebinding) or from other origins are refused.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { resolve } from "node:path";
import { DEV_PATHS, type DevAck } from "../host/dev/dev-protocol.js";
import { HotwasmError, httpStatusOf, toHotwasmError } from "../host/errors.js";
import { printable } from "../host/model/printable.js";
import { readJsonObject, writeJson } from "../host/admin/http-body.js";
import { isLoopbackName } from "../host/node/admin-auth.js";
import { listenOn } from "../host/node/listen.js";
import { DevSession, type DevSessionOptions } from "./dev-session.js";
import { createEventHub } from "./event-hub.js";
import { servePageFile } from "./page-files.js";
import { watchSources } from "./watch-sources.js";

/** What to serve. */
export interface DevServerOptions extends Omit<DevSessionOptions, "emit" | "log"> {
  hostname?: string;
  /** Port (default 8088; 0 picks a free one). */
  port?: number;
  /** The page's directory, relative to the project (default "page"). */
  pageDir?: string;
  /** Terminal output (default: stdout). */
  log?: (text: string) => void;
}

/** A running dev server. */
export interface DevServer {
  url: string;
  session: DevSession;
  /** A full reload: rebuilds the base from the sources now; pages reload. False when the build failed. */
  rebuild(): Promise<boolean>;
  close(): Promise<void>;
}

/** Builds the base and starts serving; resolves once it listens. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const log = options.log ?? ((text: string) => console.log(text));
  const hostname = options.hostname ?? "127.0.0.1";
  let hub: ReturnType<typeof createEventHub> | undefined;
  const session = await DevSession.start({ ...options, emit: (event) => hub?.send(event) ?? 0, log });
  hub = createEventHub(() => session.hello());
  const watcher = watchSources(options.cwd, session.sourceFiles(), (files) => void session.edited(files));
  const pageDir = resolve(options.cwd, options.pageDir ?? "page");
  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      const e = toHotwasmError(err);
      writeJson(res, httpStatusOf(e.code), { error: e.toLine(), code: e.code });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (isLoopbackName(hostname) && !isLoopbackName(hostOf(req.headers.host))) throw new HotwasmError("E_FORBIDDEN_ORIGIN", `the dev server serves loopback names only, not ${req.headers.host}`);
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    // A post from a page of another origin is refused; so is one from an opaque origin ("null": a sandboxed page, a file) or an unreadable one.
    if (req.method === "POST" && req.headers.origin !== undefined && originHostOf(req.headers.origin) !== hostOf(req.headers.host)) {
      throw new HotwasmError("E_FORBIDDEN_ORIGIN", `requests from the origin ${printable(req.headers.origin.slice(0, 200))} are not accepted`);
    }
    if (path === DEV_PATHS.events) return hub!.add(req, res, url.searchParams.get("client") ?? "client");
    if (path === DEV_PATHS.base) return send(res, "application/wasm", session.base.binary);
    if (path === DEV_PATHS.examples) return writeJson(res, 200, await exampleList());
    const example = /^\/__hotwasm\/patches\/([\w.-]+)\.wasm$/.exec(path);
    if (example) {
      const found = (await session.examplePatches()).find((p) => p.name === example[1] && p.binary);
      if (!found) throw new HotwasmError("E_NOT_FOUND", `no example patch ${example[1]}`);
      return send(res, "application/wasm", found.binary!);
    }
    if (path === DEV_PATHS.ack && req.method === "POST") {
      logAck((await readJsonObject(req, 64 * 1024)) as unknown as DevAck);
      return writeJson(res, 204, null);
    }
    if (path === DEV_PATHS.reload && req.method === "POST") {
      log("full reload asked for by a page: rebuilding the base");
      return writeJson(res, 200, { ok: await rebuild() });
    }
    if (req.method === "GET" && (await servePageFile(res, pageDir, path))) return;
    if (path === "/") return send(res, "text/html; charset=utf-8", new TextEncoder().encode(NO_PAGE));
    throw new HotwasmError("E_NOT_FOUND", `no ${path} here`);
  }

  async function exampleList() {
    return (await session.examplePatches()).map((p) => ({
      name: p.name, file: p.file, description: p.description, replaces: p.replaces,
      url: p.binary ? `/__hotwasm/patches/${p.name}.wasm` : null, problem: p.problem,
    }));
  }

  async function rebuild(): Promise<boolean> {
    const ok = await session.rebuild();
    if (ok) watcher.add(session.sourceFiles());
    return ok;
  }

  /** One line per acknowledgement; every field a client sent is shown escaped (no terminal control from a request). */
  function logAck(ack: DevAck): void {
    const text = (value: unknown, max: number) => printable(String(value).slice(0, max));
    const who = text(ack.client, 60);
    const seq = Number.isSafeInteger(ack.seq) ? String(ack.seq) : text(ack.seq, 20);
    if (ack.ok === true) log(`  ${who}: ${ack.hp_id ? `applied patch ${seq}` : `back to the base at patch ${seq}`} in ${Number(ack.apply_ms).toFixed(1)} ms`);
    else log(`  ${who}: patch ${seq} NOT applied: ${text(ack.code, 40)}: ${text(ack.message, 2000)}`);
  }

  const url = await listenOn(server, hostname, options.port ?? 8088);
  return {
    url,
    session,
    rebuild,
    close: async () => {
      watcher.close();
      hub!.close();
      await new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()); });
      await session.idle();
    },
  };
}

function send(res: ServerResponse, type: string, body: Uint8Array): void {
  res.writeHead(200, { "content-type": type, "content-length": body.length, "cache-control": "no-store" });
  res.end(body);
}

/** The host name of an Origin header, or null for an opaque ("null") or unreadable one. */
function originHostOf(origin: string): string | null {
  try {
    return hostOf(new URL(origin).host);
  } catch {
    return null;
  }
}

function hostOf(host: string | undefined): string {
  if (!host) return "";
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  return bracket ? bracket[1]! : host.replace(/:\d+$/, "");
}

const NO_PAGE = `<!doctype html><meta charset="utf-8"><title>hotwasm dev</title>
<p>hotwasm dev is running, but this project has no page directory (<code>page/</code>, or <code>--page DIR</code>).
Node hosts follow it with <code>hotwasm serve APP.wasm --dev URL</code>.</p>`;
