// Test helper for fleets: a real nats-server per test (skipped with a message when it is not
// installed, failing under HOTWASM_REQUIRE_NATS=1), hosts over the test base with their agents,
// a controller, and waiting for the engine to show something. Everything started is stopped by
// stopFleet (call it in afterEach).

import { findNatsServer, startNatsCluster, startNatsServer, type NatsEngine } from "../../bench/nats-launcher.js";
import { Host } from "../../host/core/host.js";
import type { HostEvent } from "../../host/model/events.js";
import {
  FleetAgent, FleetController, connectEngine, readFleetStatus, rolloutKey, type ControllerOptions, type FleetAgentOptions, type FleetEngine, type RolloutState,
} from "../../host/fleet/index.js";
import { baseBinary } from "./base.js";
import { fnPatch } from "./wat.js";

const natsBin = findNatsServer();
const required = process.env.HOTWASM_REQUIRE_NATS === "1";
if (!natsBin && !required) console.warn("fleet tests skipped: nats-server is not installed (apt-get install nats-server; .ci/run installs it)");

/** True when the fleet tests skip: no nats-server and HOTWASM_REQUIRE_NATS is not 1 (then they fail instead). */
export const skipFleet = !natsBin && !required;

/** A host of the fleet under test. */
export interface FleetHost {
  host: Host;
  agent: FleetAgent;
  events: HostEvent[];
  id: string;
}

const engines: NatsEngine[] = [];
const closers: (() => Promise<void>)[] = [];

/** A fresh nats-server (or a three-node cluster), stopped by stopFleet. */
export async function startEngine(cluster = false): Promise<NatsEngine> {
  if (!natsBin) throw new Error("HOTWASM_REQUIRE_NATS=1, but nats-server is not installed: apt-get install -y nats-server");
  const engine = cluster ? await startNatsCluster(3) : await startNatsServer();
  engines.push(engine);
  return engine;
}

/** A connection for the test's own reads and writes. */
export async function openEngine(urls: string[], token?: string): Promise<FleetEngine> {
  const engine = await connectEngine({ servers: urls, persistent: true, ...(token ? { token } : {}) });
  closers.push(() => engine.close());
  return engine;
}

/** A controller with short ticks and leases. */
export async function startController(urls: string[], options: Partial<ControllerOptions> = {}): Promise<FleetController> {
  const log = process.env.HOTWASM_FLEET_DEBUG ? (l: string) => console.log(`${new Date().toISOString()} ${l}`) : undefined;
  const controller = await FleetController.start({ engine: { servers: urls }, tickMs: 250, leaseMs: 3000, log, ...options });
  closers.push(() => controller.close());
  await controller.whenSetUp();
  return controller;
}

/** A Host over the test base (with its events) and its agent. */
export async function startHost(urls: string[], id: string, options: Partial<FleetAgentOptions> = {}, verifyPatch?: (b: Uint8Array) => void): Promise<FleetHost> {
  const host = await Host.instantiate(await baseBinary(), { env: { log: () => {}, callback: () => {} } }, verifyPatch ? { verifyPatch } : {});
  const events: HostEvent[] = [];
  host.on((e) => events.push(e));
  const log = process.env.HOTWASM_FLEET_DEBUG === "2" ? (l: string) => console.log(`${new Date().toISOString()} ${id}: ${l}`) : undefined;
  const agent = FleetAgent.start(host, { engine: { servers: urls }, hostId: id, pollMs: 1000, heartbeatMs: 1000, log, ...options });
  closers.push(() => agent.close());
  return { host, agent, events, id };
}

/** `n` hosts named h00, h01, ...; resolves once every one has joined and reported. */
export async function startHosts(urls: string[], n: number, options: Partial<FleetAgentOptions> = {}): Promise<FleetHost[]> {
  const hosts = await Promise.all(Array.from({ length: n }, (_, i) => startHost(urls, `h${String(i).padStart(2, "0")}`, options)));
  await Promise.all(hosts.map((h) => h.agent.whenJoined()));
  return hosts;
}

/** Polls `check` every 50 ms until it is true; fails naming `what` after `ms`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<number> {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now() - start;
}

/** True when every host in `ids` acks the build's current generation with its wanted set. */
export async function converged(engine: FleetEngine, build: string, ids: string[]): Promise<boolean> {
  const status = await readFleetStatus(engine, build).catch(() => null);
  const rows = new Map((status?.builds[0]?.hosts ?? []).map((h) => [h.host_id, h]));
  return ids.every((id) => rows.get(id)?.converged === true);
}

/** The build's rollout state now (null: none). */
export async function readState(engine: FleetEngine, build: string): Promise<RolloutState | null> {
  const entry = await engine.fleet.get(rolloutKey(build));
  return entry && entry.operation === "PUT" ? (entry.json() as RolloutState) : null;
}

/** The test base's `version` replaced to return `k`: a patch of the fleet. */
export function versionPatch(k: number): Uint8Array {
  return fnPatch("version", "(result i32)", `(i32.const ${k})`);
}

/** Stops every agent, controller, connection and server started by the helpers. */
export async function stopFleet(): Promise<void> {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  for (const engine of engines.splice(0)) await engine.stop();
}
