// `npm start`: the hotgo example as a service. Calls func2 once and func1 every second, and
// serves hotgo's HTTP API on 127.0.0.1:8080 (PORT and HOST override; TICK_MS sets the period)
// for live patching.

import { createServer, type Server } from "node:http";
import { Host } from "../host/core/host.js";
import { HPHttpServer } from "../host/admin/http-server.js";
import { consoleImports } from "./console-imports.js";
import { isMain } from "./is-main.js";

/** A running example service. */
export interface Service {
  host: Host;
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Starts the service; `port` 0 picks a free port. */
export async function startService(options: { app?: string; port?: number; hostname?: string; intervalMs?: number; out?: (line: string) => void } = {}): Promise<Service> {
  const out = options.out ?? console.log;
  let host: Host | undefined;
  host = await Host.instantiate(options.app ?? "build/app.wasm", consoleImports(() => host, out));
  const running = host;
  running.exports.func2();
  const timer = setInterval(() => running.exports.func1(), options.intervalMs ?? 1000);
  const server = createServer(HPHttpServer(running));
  const hostname = options.hostname ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, hostname, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const url = `http://${hostname}:${port}`;
  return {
    host: running,
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function usage(url: string, intervalMs: number): string {
  return `
hotwasm example service: func1 runs every ${intervalMs} ms; hotgo's HTTP API listens on ${url}

  load the patch:
    curl -d '{"hp_file": "./build/hp.wasm", "replace_config": {"NewFunc1": "main.func1"},
              "ref_config": {"Global": "main.globalValue", "Func2Ref": "main.func2"}}' ${url}/hp/v1/load
  see what is loaded:
    curl ${url}/hp/v1/info
  unload it (use the hp_id the load returned):
    curl -d '{"hp_id": "<hp_id>"}' ${url}/hp/v1/unload

Ctrl-C stops the service.
`;
}

if (isMain(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8080);
  const intervalMs = Number(process.env.TICK_MS ?? 1000);
  const service = await startService({ port, hostname: process.env.HOST ?? "127.0.0.1", intervalMs });
  console.log(usage(service.url, intervalMs));
  const stop = () => void service.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
