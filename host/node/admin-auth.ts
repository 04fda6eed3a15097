// The admin plane's gate, run before every request: browser pages are turned away (their origins,
// and the body types their forms send), and either a bearer token is required (compared in
// constant time) or, without one, only loopback host names are served (no DNS rebinding).

import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HotwasmError } from "../errors.js";
import { checkToken, MIN_TOKEN_LENGTH } from "../admin/admin-token.js";

/** Options of the gate. */
export interface AuthOptions {
  /** The token every request must carry as `Authorization: Bearer <token>`; none: loopback only. */
  token?: string;
  /** Origins (scheme://host:port) whose browser pages may call the API (default none). */
  allowedOrigins?: string[];
}

/** Content types a browser form sends cross-site without a preflight and that are refused (curl -d's
 * application/x-www-form-urlencoded is accepted: the hotgo examples use it). */
const FORM_TYPES = new Set(["text/plain", "multipart/form-data"]);

/** Shortest token accepted. */
export { MIN_TOKEN_LENGTH };

/** A function for AdminHooks.authorize; throws E_FORBIDDEN_ORIGIN, E_UNSUPPORTED_MEDIA_TYPE, E_AUTH_REQUIRED or E_AUTH_FAILED. */
export function createAuthorizer(options: AuthOptions): (req: IncomingMessage) => void {
  if (options.token !== undefined) checkToken(options.token);
  const expected = options.token === undefined ? null : digest(options.token);
  const origins = new Set(options.allowedOrigins ?? []);
  return (req) => {
    const origin = req.headers.origin;
    if (origin !== undefined && !origins.has(origin)) {
      throw new HotwasmError("E_FORBIDDEN_ORIGIN", `requests from the browser origin ${origin} are not accepted`);
    }
    // A page's form can post these types to any site with no preflight (and text/plain carries raw JSON): never a client's.
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (FORM_TYPES.has(type)) {
      throw new HotwasmError("E_UNSUPPORTED_MEDIA_TYPE", `a body of type ${type} is what browser forms send; send JSON as application/json (curl -d's form type is accepted too)`);
    }
    if (expected === null) {
      const name = hostNameOf(req.headers.host);
      if (!isLoopbackName(name)) throw new HotwasmError("E_FORBIDDEN_ORIGIN", `the host name "${name}" is not a loopback name; without a token only loopback is served`);
      return;
    }
    const header = req.headers.authorization;
    if (header === undefined || header.trim() === "") throw new HotwasmError("E_AUTH_REQUIRED", "this server needs a token: send Authorization: Bearer <token>");
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) throw new HotwasmError("E_AUTH_FAILED", "the token is wrong");
  };
}

/** True for names and addresses that only reach this machine. */
export function isLoopbackName(name: string): boolean {
  const n = name.toLowerCase().replace(/^\[|\]$/g, "");
  return n === "localhost" || n.endsWith(".localhost") || n === "::1" || /^127(\.\d{1,3}){3}$/.test(n);
}

function hostNameOf(host: string | undefined): string {
  if (!host) return "";
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracket) return bracket[1]!;
  return host.replace(/:\d+$/, "");
}

// Hashing both sides gives equal-length inputs, so timingSafeEqual never leaks the token's length.
function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
