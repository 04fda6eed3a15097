// `npm start`: the hotgo example as a service. Calls func2 once and func1 every second, and
// serves hotgo's HTTP API on 127.0.0.1:8080 (PORT and HOST override; TICK_MS sets the period)
// for live patching, behind the same gate as `hotwasm serve`: loopback host names only unless a
// token is set (HOTWASM_TOKEN, required beyond loopback), no browser pages, patch files confined
// to the working directory, hooks under a watchdog.

import type { Server } from "node:http";
import type { Host } from "../host/core/host.js";
import { startAdminServer } from "../host/node/admin-server.js";
import { instantiateServedHost } from "../host/node/serve-host.js";
import { consoleImports } from "./console-imports.js";
import { isMain } from "./is-main.js";

/** A running example service. */
export interface Service {
  host: Host;
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** What to start: `port` 0 picks a free port; beyond loopback, `token` is required. */
export interface ServiceOptions {
  app?: string;
  port?: number;
  hostname?: string;
  intervalMs?: number;
  out?: (line: string) => void;
  /** The bearer token requests must carry (required when `hostname` is not a loopback address). */
  token?: string;
  /** hp_file paths are read from, and confined to, this directory (default: the working directory). */
  patchDir?: string;
}

/** Starts the service. */
export async function startService(options: ServiceOptions = {}): Promise<Service> {
  const out = options.out ?? console.log;
  const { host } = await instantiateServedHost({ app: options.app ?? "build/app.wasm", imports: (get) => consoleImports(get, out), patchDir: options.patchDir });
  host.exports.func2();
  const timer = setInterval(() => host.exports.func1(), options.intervalMs ?? 1000);
  try {
    // startAdminServer is `hotwasm serve`'s own: its gate, and its refusal of a non-loopback address without a token.
    const admin = await startAdminServer(host, { hostname: options.hostname ?? "127.0.0.1", port: options.port ?? 8080, token: options.token });
    return {
      host, server: admin.server, url: admin.url,
      close: async () => {
        clearInterval(timer);
        await admin.close();
      },
    };
  } catch (err) {
    clearInterval(timer);
    throw err;
  }
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
  const service = await startService({ port, hostname: process.env.HOST ?? "127.0.0.1", intervalMs, token: process.env.HOTWASM_TOKEN || undefined }).catch((err: unknown) => {
    console.error(`error ${(err as { code?: string }).code ?? ""}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
  console.log(usage(service.url, intervalMs));
  const stop = () => void service.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
