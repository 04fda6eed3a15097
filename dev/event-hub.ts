// Server-Sent Events to every connected dev client: each new client first gets the greeting
// (the base and the dev patch now), then every event; a comment every 15 s keeps proxies quiet.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { DevEvent } from "../host/dev/dev-protocol.js";

/** The connected clients. */
export interface EventHub {
  /** Takes over a request as an event stream, named `name` in the log. */
  add(req: IncomingMessage, res: ServerResponse, name: string): void;
  /** Sends `event` to every client; returns how many there are. */
  send(event: DevEvent): number;
  /** Names of the clients connected now. */
  clients(): string[];
  close(): void;
}

/** A hub whose new clients are greeted with `hello()`. */
export function createEventHub(hello: () => DevEvent): EventHub {
  const streams = new Map<ServerResponse, string>();
  const write = (res: ServerResponse, event: DevEvent) => res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  const ping = setInterval(() => { for (const res of streams.keys()) res.write(": ping\n\n"); }, 15_000);
  ping.unref();
  return {
    add(req, res, name) {
      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive" });
      streams.set(res, name);
      write(res, hello());
      req.on("close", () => streams.delete(res));
    },
    send(event) {
      for (const res of streams.keys()) write(res, event);
      return streams.size;
    },
    clients: () => [...streams.values()],
    close() {
      clearInterval(ping);
      for (const res of streams.keys()) res.end();
      streams.clear();
    },
  };
}
