// The end of `hotwasm serve`, for a Host and a HostPool alike: follow the dev server if asked,
// run until SIGINT or SIGTERM, then stop what was started, in order.

import { connectDevServer, type DevTarget } from "../host/dev/dev-client.js";
import { describeDevStatus } from "../host/dev/dev-status.js";
import type { CliIo } from "./io.js";

/** Follows `devUrl` (if any) from `target`, waits for SIGINT or SIGTERM, then runs `stop`. */
export async function serveUntilStopped(target: DevTarget, serverUrl: string, devUrl: string | undefined, io: CliIo, stop: () => Promise<void>): Promise<void> {
  const dev = devUrl === undefined ? null
    : connectDevServer(target, { url: devUrl, name: `serve ${serverUrl}`, onStatus: (s) => io.out(`hotwasm serve: dev: ${describeDevStatus(s)}`) });
  await new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  dev?.close();
  await stop();
}
