// Starting an HTTP server on an address and telling where it listens (admin and dev servers).

import type { Server } from "node:http";
import type { Server as TlsServer } from "node:https";
import { HotwasmError } from "../errors.js";

/** Listens on `hostname:port` (0 picks a free port); resolves to the server's URL (https for a TLS server), or E_ADMIN_CONFIG. */
export async function listenOn(server: Server | TlsServer, hostname: string, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", (cause) => reject(new HotwasmError("E_ADMIN_CONFIG", `cannot listen on ${hostname}:${port}: ${cause.message}`, { cause })));
    server.listen(port, hostname, () => resolve());
  });
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : 0;
  const scheme = "setSecureContext" in server ? "https" : "http";
  return `${scheme}://${hostname.includes(":") ? `[${hostname}]` : hostname}:${actual}`;
}
