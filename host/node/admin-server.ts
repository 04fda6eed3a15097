// The admin plane on one HTTP server: hotgo's HTTP API (/hp/v1/*) and, optionally, its RPC API
// (/hp, /hpdebug), behind one gate (token or loopback only, browser pages only from allowed
// origins, with CORS) and one audit log; over TLS when given a certificate.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AdminRecord } from "../admin/admin-hooks.js";
import { HotwasmError } from "../errors.js";
import type { AdminTarget } from "../admin/admin-target.js";
import { HPHttpServer } from "../admin/http-server.js";
import { HPRpcServer } from "../admin/rpc-server.js";
import { createAuthorizer, isLoopbackName } from "./admin-auth.js";
import { listenOn } from "./listen.js";
import { answerCors } from "./admin-cors.js";

/** Options of the admin server. */
export interface AdminServerOptions {
  /** Address to listen on (default 127.0.0.1); anything but loopback needs a token. */
  hostname?: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** The bearer token requests must carry. */
  token?: string;
  /** Also serve JSON-RPC on /hp and the debug page on /hpdebug. */
  rpc?: boolean;
  /** Largest uploaded patch, in bytes (default 16 MiB). */
  maxUploadBytes?: number;
  /** Browser origins allowed to call the API, answered with CORS headers and preflights (default none). */
  allowedOrigins?: string[];
  /** Told how every request ended (the audit log). */
  onResult?: (record: AdminRecord, req: IncomingMessage) => void;
  /** Serve HTTPS with this certificate chain and private key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

/** A listening admin server. */
export interface AdminServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Starts the admin server for `host`; refuses a non-loopback address without a token (E_ADMIN_CONFIG). */
export async function startAdminServer(host: AdminTarget, options: AdminServerOptions = {}): Promise<AdminServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  if (options.token === undefined && !isLoopbackName(hostname)) {
    throw new HotwasmError("E_ADMIN_CONFIG", `listening on ${hostname} (beyond loopback) needs a token`);
  }
  const listener = createAdminListener(host, options);
  let server: Server;
  try {
    server = options.tls ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, listener) : createServer(listener);
  } catch (cause) {
    throw new HotwasmError("E_ADMIN_CONFIG", `cannot use the TLS certificate and key: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  const url = await listenOn(server, hostname, options.port ?? 8080);
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The request listener: the gate and the audit hook shared by both APIs, routed by path. */
export function createAdminListener(host: AdminTarget, options: AdminServerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const hooks = { authorize: createAuthorizer({ token: options.token, allowedOrigins: options.allowedOrigins }), onResult: options.onResult };
  const maxUploadBytes = options.maxUploadBytes ?? 16 * 1024 * 1024;
  const http = HPHttpServer(host, { ...hooks, maxUploadBytes });
  // An upload over JSON-RPC travels in base64: 4/3 of the bytes, plus room for the config.
  const rpc = options.rpc ? HPRpcServer(host, { ...hooks, maxBodyBytes: Math.ceil(maxUploadBytes / 3) * 4 + 1024 * 1024 }) : null;
  const origins = new Set(options.allowedOrigins ?? []);
  return (req, res) => {
    if (answerCors(req, res, origins)) return;
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (rpc && (path === "/hp" || path === "/hpdebug")) rpc(req, res);
    else http(req, res);
  };
}
