// The one check of an admin token, made alike by the server (`hotwasm serve`, startAdminServer)
// and its clients (`hotwasm load / unload / info`, createAdminClient): a token either side accepts
// travels unchanged in `Authorization: Bearer <token>`, so the other side accepts it too.

import { HotwasmError } from "../errors.js";

/** Shortest token accepted. */
export const MIN_TOKEN_LENGTH = 16;

/** Returns `token` when it is usable: at least 16 characters, printable ASCII, no spaces; else E_ADMIN_CONFIG naming `source`. */
export function checkToken(token: string, source = "the token"): string {
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new HotwasmError("E_ADMIN_CONFIG", `${source} has ${token.length} characters; use at least ${MIN_TOKEN_LENGTH}`);
  }
  const bad = /[^\x21-\x7e]/.exec(token);
  if (bad) {
    const what = /\s/.test(bad[0]) ? "a space" : "a character that is not printable ASCII";
    throw new HotwasmError("E_ADMIN_CONFIG", `${source} has ${what} at position ${bad.index + 1}; a token is printable ASCII without spaces (e.g. openssl rand -hex 32)`);
  }
  return token;
}
