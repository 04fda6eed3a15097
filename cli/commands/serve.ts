// `hotwasm serve APP.wasm [options]`: runs a patchable base and its admin plane (hotgo's HTTP API,
// optionally its RPC API) until SIGINT or SIGTERM. Composition only; the pieces are in hotwasm/node.

import type { Command } from "commander";
import { resolve } from "node:path";
import { consoleImports } from "../../host/core/console-imports.js";
import { describeError } from "../../host/errors.js";
import { startAdminServer } from "../../host/node/admin-server.js";
import { openAuditLog } from "../../host/node/audit-log.js";
import { PatchJournal, type JournalStep } from "../../host/node/patch-journal.js";
import { restorePatches } from "../../host/node/restore-patches.js";
import { DEFAULT_MAX_PATCH_BYTES, exportedFunction, instantiateServedHost, loadImportsModule } from "../../host/node/serve-host.js";
import { readTls, readToken } from "../admin-options.js";
import { serveUntilStopped } from "../serve-lifecycle.js";
import { isLoopbackName } from "../../host/node/admin-auth.js";
import { collect, CliUsageError, type CliIo } from "../io.js";
import { readBaseBuild } from "../read-input.js";
import { auditTarget } from "../audit-target.js";

interface ServeOptions {
  host: string; port: string; rpc?: boolean; tokenFile?: string; patchDir: string; trustedKeys?: string; maxPatchBytes: string;
  auditLog?: string; imports?: string; run: string[]; tick?: string; tickMs: string; allowOrigin: string[]; stateDir?: string; dev?: string; workers?: string;
  tlsCert?: string; tlsKey?: string; patchTimeoutMs: string;
}

/** Adds the serve command. */
export function registerServe(program: Command, io: CliIo): void {
  program
    .command("serve")
    .description("run a patchable base build with hotgo's admin API, to patch it live")
    .argument("<app>", "a patchable base build (hotwasm build)")
    .option("--host <address>", "address to listen on; beyond loopback a token is required", "127.0.0.1")
    .option("--port <port>", "port to listen on; 0 picks a free one", "8080")
    .option("--rpc", "also serve hotgo's RPC API: JSON-RPC on /hp, the debug page on /hpdebug")
    .option("--token-file <file>", "require this token (Authorization: Bearer ...); default HOTWASM_TOKEN")
    .option("--tls-cert <file>", "serve HTTPS with this certificate chain (PEM); needs --tls-key")
    .option("--tls-key <file>", "the certificate's private key (PEM)")
    .option("--patch-dir <dir>", "hp_file paths are read from, and confined to, this directory", ".")
    .option("--trusted-keys <path>", "only load patches signed by these ed25519 keys (a PEM file, or a directory of *.pub)")
    .option("--max-patch-bytes <n>", "largest patch, read from a file or uploaded", String(DEFAULT_MAX_PATCH_BYTES))
    .option("--audit-log <file>", "append one JSON line per admin request to FILE, or write it to stdout with - (default: none)")
    .option("--imports <module>", "ES module whose default export (getHost) => imports gives the base its imports")
    .option("--run <export>", "call this export of the base once at start (repeatable)", collect, [])
    .option("--tick <export>", "call this export of the base every --tick-ms")
    .option("--tick-ms <ms>", "period of --tick", "1000")
    .option("--allow-origin <origin>", "let browser pages from this origin call the API (repeatable)", collect, [])
    .option("--state-dir <dir>", "record loaded patches in DIR and re-apply them at start-up")
    .option("--dev <url>", "follow the dev server at URL (hotwasm dev): apply every dev patch it pushes")
    .option("--workers <n>", "run the base in N worker threads, patched all at once (stop-the-world); --imports then names a HostPool imports module")
    .option("--patch-timeout-ms <ms>", "interrupt a patch's hook that runs longer than this; the load or unload is refused (E_PATCH_TIMEOUT)", "10000")
    .addHelpText("after", `
Prints "hotwasm serve: listening on http://HOST:PORT" (https with --tls-cert) once the API is
up; beyond loopback without TLS it warns that the token travels in clear. The default imports
print strings: env.print(message) and env.println(label, value). Without a token only
loopback host names are served; requests from browser pages are refused unless allowed.
With --state-dir, every load and unload is recorded (atomically) before it is answered, and
the recorded patches are re-applied in order at start-up; one that no longer fits the base
is dropped with a message ("hotwasm serve: state: dropped ...") and the service starts.

Examples:
  $ hotwasm serve build/app.wasm --run func2 --tick func1       # the hotgo example
  $ hotwasm serve build/app.wasm --rpc --port 0                 # also JSON-RPC; any free port
  $ hotwasm serve build/app.wasm --state-dir /var/lib/myapp/hotwasm   # patches survive restarts
  $ hotwasm serve build/app.wasm --tick func1 --dev http://127.0.0.1:8088   # patched on every save
  $ hotwasm serve build/app.wasm --workers 4 --run func2 --tick func1  # a pool of 4 workers
  $ HOTWASM_TOKEN=$(cat token) hotwasm serve build/app.wasm --host 0.0.0.0 --patch-dir patches \\
      --trusted-keys keys/ --audit-log admin.log --tls-cert cert.pem --tls-key key.pem
  $ NODE_EXTRA_CA_CERTS=ca.pem hotwasm info --server https://HOST:8080   # a client trusting your CA`)
    .action(async (app: string, opts: ServeOptions) => {
      const port = wholeNumber("--port", opts.port, 65535);
      const tickMs = wholeNumber("--tick-ms", opts.tickMs, 2 ** 31 - 1);
      if (opts.dev !== undefined && !/^https?:\/\/[^/]/.test(opts.dev)) throw new CliUsageError(`--dev takes the dev server's URL (http://HOST:PORT), not "${opts.dev}"`);
      const maxPatchBytes = wholeNumber("--max-patch-bytes", opts.maxPatchBytes, 2 ** 31 - 1);
      const patchTimeoutMs = wholeNumber("--patch-timeout-ms", opts.patchTimeoutMs, 2 ** 31 - 1);
      if (patchTimeoutMs < 1) throw new CliUsageError("--patch-timeout-ms must be at least 1");
      const token = await readToken(opts.tokenFile, io);
      const base = await readBaseBuild(io, app);
      const tls = await readTls(opts.tlsCert, opts.tlsKey, io);
      if (token !== undefined && !tls && !isLoopbackName(opts.host)) {
        io.err(`hotwasm serve: warning: the token travels in clear beyond loopback; give --tls-cert and --tls-key, or put a TLS proxy in front`);
      }
      if (opts.workers !== undefined) {
        const workers = wholeNumber("--workers", opts.workers, 256);
        if (workers < 1) throw new CliUsageError("--workers must be at least 1");
        const { servePool } = await import("../serve-pool.js");
        return servePool({ ...opts, app: base, workers, port, tickMs, maxPatchBytes, patchTimeoutMs, token, tls, rpc: !!opts.rpc }, io);
      }
      const imports = opts.imports ? await loadImportsModule(opts.imports, io.cwd) : (get: Parameters<typeof consoleImports>[0]) => consoleImports(get, io.out);
      const served = await instantiateServedHost({
        app: resolve(io.cwd, app), imports, patchDir: resolve(io.cwd, opts.patchDir), maxPatchBytes, patchTimeoutMs,
        trustedKeys: opts.trustedKeys === undefined ? undefined : resolve(io.cwd, opts.trustedKeys),
      });
      const { host } = served;
      const tick = opts.tick === undefined ? null : exportedFunction(host, opts.tick);
      const audit = openAuditLog(auditTarget(opts.auditLog, io), host);
      if (opts.stateDir !== undefined) {
        const journal = await PatchJournal.open(resolve(io.cwd, opts.stateDir), { onStep: testPause(io), maxPatchBytes });
        await restorePatches(host, journal, io.err, (record) => audit.record(record));
      }
      for (const name of opts.run) exportedFunction(host, name)();
      const server = await startAdminServer(host, {
        hostname: opts.host, port, token, tls, rpc: !!opts.rpc, maxUploadBytes: maxPatchBytes, allowedOrigins: opts.allowOrigin, onResult: audit.record,
      });
      const timer = tick && setInterval(() => callSafely(tick, opts.tick!, io), tickMs);
      io.out(`hotwasm serve: ${token ? "token required" : "loopback only, no token"}; patches from ${served.patchDir}` +
        `${served.trustedKeys.length ? `, signed by ${served.trustedKeys.map((k) => k.keyId).join(", ")}` : ""}` +
        `${opts.rpc ? "; JSON-RPC on /hp, debug on /hpdebug" : ""}`);
      io.out(`hotwasm serve: listening on ${server.url}`);
      await serveUntilStopped(host, server.url, opts.dev, io, async () => {
        if (timer) clearInterval(timer);
        await server.close();
        await audit.close();
      });
    });
}

/** Test only: HOTWASM_TEST_PAUSE_AT=STEP[:N] stops the N-th state write at STEP (printing a line) for a kill. */
function testPause(io: CliIo): ((step: JournalStep) => Promise<void>) | undefined {
  const spec = io.env?.HOTWASM_TEST_PAUSE_AT;
  if (!spec) return undefined;
  const [at, nth = "1"] = spec.split(":");
  let seen = 0;
  return async (step) => {
    if (step !== at || ++seen !== Number(nth)) return;
    io.out(`hotwasm serve: paused at ${step}`);
    await new Promise<never>(() => {});
  };
}

function callSafely(fn: () => unknown, name: string, io: CliIo): void {
  try {
    fn();
  } catch (err) {
    io.err(`hotwasm serve: ${name} failed: ${describeError(err)}`);
  }
}

function wholeNumber(option: string, text: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > max) throw new CliUsageError(`${option} must be a whole number up to ${max}, not "${text}"`);
  return n;
}
