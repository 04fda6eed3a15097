// `hotwasm serve --workers N`: the base runs in a HostPool of N worker threads, patched all at
// once (stop-the-world), behind the same admin plane as a single host.

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describeError } from "../host/errors.js";
import { startAdminServer } from "../host/node/admin-server.js";
import { openAuditLog } from "../host/node/audit-log.js";
import { createConfinedReader } from "../host/node/confine-path.js";
import { createPatchVerifier, readTrustedKeys } from "../host/node/patch-signing.js";
import { HostPool } from "../host/pool/host-pool.js";
import { serveUntilStopped } from "./serve-lifecycle.js";
import { PatchJournal } from "../host/node/patch-journal.js";
import { restorePatches } from "../host/node/restore-patches.js";
import type { CliIo } from "./io.js";
import { auditTarget } from "./audit-target.js";

/** What `serve` hands over once its own options are checked. */
export interface PoolServeOptions {
  /** The base's bytes (read by serve, not through the patch directory). */
  app: Uint8Array;
  workers: number;
  host: string;
  port: number;
  token: string | undefined;
  tls: { cert: Buffer; key: Buffer } | undefined;
  rpc: boolean;
  patchDir: string;
  trustedKeys?: string;
  maxPatchBytes: number;
  patchTimeoutMs: number;
  auditLog?: string;
  imports?: string;
  run: string[];
  tick?: string;
  tickMs: number;
  allowOrigin: string[];
  stateDir?: string;
  dev?: string;
}

const DEFAULT_IMPORTS = new URL("../host/node/pool-console-imports.js", import.meta.url);

/** Runs the pool and its admin servers until SIGINT or SIGTERM. */
export async function servePool(o: PoolServeOptions, io: CliIo): Promise<void> {
  const { root, readFile } = await createConfinedReader(resolve(io.cwd, o.patchDir), o.maxPatchBytes);
  const keys = o.trustedKeys === undefined ? [] : await readTrustedKeys(resolve(io.cwd, o.trustedKeys));
  const pool = await HostPool.create(o.app, {
    workers: o.workers,
    imports: o.imports ? pathToFileURL(resolve(io.cwd, o.imports)) : DEFAULT_IMPORTS,
    readFile, maxPatchBytes: o.maxPatchBytes, patchTimeoutMs: o.patchTimeoutMs,
    verifyPatch: keys.length > 0 ? createPatchVerifier(keys) : undefined,
  });
  const audit = openAuditLog(auditTarget(o.auditLog, io), pool);
  if (o.stateDir !== undefined) {
    const journal = await PatchJournal.open(resolve(io.cwd, o.stateDir), { maxPatchBytes: o.maxPatchBytes });
    await restorePatches(pool, journal, io.err, (record) => audit.record(record));
  }
  const call = (name: string) => pool.call(name).catch((err: unknown) => io.err(`hotwasm serve: ${name} failed: ${describeError(err)}`));
  for (const name of o.run) await call(name);
  const server = await startAdminServer(pool, {
    hostname: o.host, port: o.port, token: o.token, tls: o.tls, rpc: o.rpc, maxUploadBytes: o.maxPatchBytes, allowedOrigins: o.allowOrigin, onResult: audit.record,
  });
  const timer = o.tick === undefined ? null : setInterval(() => void call(o.tick!), o.tickMs);
  io.out(`hotwasm serve: ${o.workers} workers; ${o.token ? "token required" : "loopback only, no token"}; patches from ${root}` +
    `${keys.length ? `, signed by ${keys.map((k) => k.keyId).join(", ")}` : ""}${o.rpc ? "; JSON-RPC on /hp, debug on /hpdebug" : ""}`);
  io.out(`hotwasm serve: listening on ${server.url}`);
  await serveUntilStopped(pool, server.url, o.dev, io, async () => {
    if (timer) clearInterval(timer);
    await server.close();
    await pool.close();
    await audit.close();
  });
}
