// CORS for the admin plane: a browser page from an allowed origin (`serve --allow-origin`) gets
// the headers that let it read the answers, and its preflight (OPTIONS) is answered; any other
// origin gets no CORS header at all, and the gate refuses its requests (E_FORBIDDEN_ORIGIN).

import type { IncomingMessage, ServerResponse } from "node:http";

/** Methods and request headers a page may use. */
const ALLOWED_METHODS = "GET, HEAD, POST";
const ALLOWED_HEADERS = "authorization, content-type";
/** How long a browser may keep a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE = 600;

/**
 * Adds the CORS headers for a request from an allowed origin; answers its preflight (204) and
 * returns true when it was one. Other requests are left alone (false).
 */
export function answerCors(req: IncomingMessage, res: ServerResponse, allowed: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || !allowed.has(origin)) return false;
  res.setHeader("access-control-allow-origin", origin);
  res.setHeader("vary", "Origin");
  if (req.method !== "OPTIONS") return false;
  res.writeHead(204, {
    "access-control-allow-methods": ALLOWED_METHODS,
    "access-control-allow-headers": ALLOWED_HEADERS,
    "access-control-max-age": String(PREFLIGHT_MAX_AGE),
  });
  res.end();
  return true;
}
