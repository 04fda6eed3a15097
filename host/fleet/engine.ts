// The connection to the fleet's engine (NATS JetStream): connect with credentials and TLS, bind
// the buckets, the patch store and the audit stream, create them once, and turn the client's
// errors into coded ones.

import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import { Objm, type ObjectStore } from "@nats-io/obj";
import { HotwasmError, describeError, isHotwasmError } from "../errors.js";
import { LAYOUT } from "./layout.js";

/** How to reach the engine. Secrets come from files or the environment (see readEngineOptions), never argv. */
export interface EngineOptions {
  /** nats://HOST:PORT (or tls://), one per node of a cluster. */
  servers: string[];
  /** The client's name, as the server's monitoring shows it. */
  name?: string;
  token?: string;
  user?: string;
  pass?: string;
  /** TLS: a CA to trust (PEM text), and a client certificate and key (PEM text). */
  tls?: { ca?: string; cert?: string; key?: string };
  /** Once connected, reconnect for ever (agents, controllers); else give up at the first loss (commands). */
  persistent?: boolean;
  /** Time for each request to the engine, ms (default 5000). */
  timeoutMs?: number;
}

/** Options of setUpFleet. */
export interface LayoutOptions {
  /** Replicas of every bucket and stream: 1 on one node, 3 on a cluster (default 1). */
  replicas?: number;
  /** How long a host stays live without refreshing its presence, ms (default 30 s). */
  presenceTtlMs?: number;
  /** How long audit records are kept, ms (default 90 days). */
  auditMaxAgeMs?: number;
}

/** A connection to the engine with the fleet's buckets bound (nothing is created by binding). */
export interface FleetEngine {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  fleet: KV;
  status: KV;
  presence: KV;
  patches: ObjectStore;
  /** Drains and closes the connection. */
  close(): Promise<void>;
}

/** What a connection has sent and received. */
export interface EngineTraffic {
  inMsgs: number;
  outMsgs: number;
  inBytes: number;
  outBytes: number;
}

/** Connects to the engine and binds the fleet's objects; E_FLEET_UNREACHABLE when it cannot. */
export async function connectEngine(options: EngineOptions): Promise<FleetEngine> {
  const servers = checkServers(options.servers);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers, name: options.name ?? "hotwasm",
      ...(options.token !== undefined ? { token: options.token } : {}),
      ...(options.user !== undefined ? { user: options.user, pass: options.pass ?? "" } : {}),
      ...(options.tls ? { tls: { ...options.tls } } : {}),
      timeout: options.timeoutMs ?? 5000,
      ...(options.persistent ? { maxReconnectAttempts: -1, reconnectTimeWait: 1000 } : { maxReconnectAttempts: 0 }),
    });
  } catch (cause) {
    throw new HotwasmError("E_FLEET_UNREACHABLE", `cannot connect to the fleet engine at ${servers.join(", ")}: ${describeError(cause)}`, { cause });
  }
  return bindEngine(nc, options.timeoutMs ?? 5000);
}

/** Creates the buckets, the patch store and the audit stream where they are missing (existing ones are kept as they are). */
export async function setUpFleet(engine: FleetEngine, options: LayoutOptions = {}): Promise<void> {
  const replicas = options.replicas ?? 1;
  const kvm = new Kvm(engine.js);
  await engineCall("set up the fleet's buckets", async () => {
    const exists = async (stream: string) => (await engine.jsm.streams.info(stream).then(() => true, (err: unknown) => {
      if ((err as { code?: unknown }).code === 10059) return false;
      throw err;
    }));
    if (!(await exists(`KV_${LAYOUT.fleet}`))) await kvm.create(LAYOUT.fleet, { history: 10, replicas, maxValueSize: 1024 * 1024 });
    if (!(await exists(`KV_${LAYOUT.status}`))) await kvm.create(LAYOUT.status, { history: 1, replicas, maxValueSize: 64 * 1024 });
    if (!(await exists(`KV_${LAYOUT.presence}`))) {
      await kvm.create(LAYOUT.presence, { history: 1, replicas, ttl: options.presenceTtlMs ?? 30_000, maxValueSize: 4096 });
    }
    if (!(await exists(`OBJ_${LAYOUT.patches}`))) await new Objm(engine.js).create(LAYOUT.patches, { replicas });
    if (!(await exists(LAYOUT.audit))) {
      await engine.jsm.streams.add({
        name: LAYOUT.audit, subjects: [LAYOUT.auditSubjects], num_replicas: replicas,
        max_age: (options.auditMaxAgeMs ?? 90 * 24 * 3600 * 1000) * 1_000_000, duplicate_window: 120 * 1_000_000_000,
      });
    }
  });
}

/** Runs one request (or a few) against the engine; any failure becomes a coded error saying what was being done. */
export async function engineCall<T>(doing: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw toFleetError(err, doing);
  }
}

/** A client error as a HotwasmError: a lost compare-and-set is E_FLEET_CONFLICT, a missing bucket E_FLEET_NOT_SET_UP. */
export function toFleetError(err: unknown, doing: string): HotwasmError {
  if (isHotwasmError(err)) return err;
  const code = (err as { code?: unknown }).code;
  if (code === 10071) return new HotwasmError("E_FLEET_CONFLICT", `cannot ${doing}: another writer changed it first`, { cause: err });
  if (code === 10059 || (err instanceof Error && err.name === "StreamNotFoundError")) {
    return new HotwasmError("E_FLEET_NOT_SET_UP", `cannot ${doing}: the engine has no hotwasm fleet yet (start hotwasm fleet controller, or push a patch)`, { cause: err });
  }
  return new HotwasmError("E_FLEET_UNREACHABLE", `cannot ${doing}: ${describeError(err)}`, { cause: err });
}

/** `servers` if every one is an engine URL without credentials in it; E_FLEET_CONFIG otherwise. */
export function checkServers(servers: string[]): string[] {
  if (servers.length === 0) throw new HotwasmError("E_FLEET_CONFIG", "give the fleet engine's URL (nats://HOST:PORT)");
  for (const server of servers) {
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      throw new HotwasmError("E_FLEET_CONFIG", `"${server}" is not an engine URL (nats://HOST:PORT)`);
    }
    if (url.protocol !== "nats:" && url.protocol !== "tls:") throw new HotwasmError("E_FLEET_CONFIG", `the engine URL ${server} must start with nats:// or tls://`);
    if (url.username || url.password) {
      throw new HotwasmError("E_FLEET_CONFIG", "credentials do not go in the engine URL (it shows in process listings); use a token or password file, or the environment");
    }
  }
  return servers;
}

async function bindEngine(nc: NatsConnection, timeout: number): Promise<FleetEngine> {
  try {
    const js = jetstream(nc, { timeout, checkAPI: false });
    const jsm = await jetstreamManager(nc, { timeout, checkAPI: false });
    const kvm = new Kvm(js);
    const [fleet, status, presence] = await Promise.all([LAYOUT.fleet, LAYOUT.status, LAYOUT.presence].map((name) => kvm.open(name)));
    const patches = await new Objm(js).open(LAYOUT.patches, false);
    return {
      nc, js, jsm, fleet: fleet!, status: status!, presence: presence!, patches,
      close: async () => {
        if (nc.isClosed()) return;
        await Promise.race([nc.drain().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
        if (!nc.isClosed()) await nc.close().catch(() => undefined);
      },
    };
  } catch (cause) {
    await nc.close().catch(() => undefined);
    throw toFleetError(cause, "bind the fleet's buckets");
  }
}
