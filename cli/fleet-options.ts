// What the fleet's commands share: the engine's URL and credentials (files or the environment,
// never a secret on the command line), and `serve --fleet`, which joins a served host or pool.

import type { Command } from "commander";
import { FleetAgent, connectEngine, parseDuration, readEngineOptions, type EngineOptions, type FleetEngine } from "../host/fleet/index.js";
import { isHotwasmError, type AdminTarget, type DebugSections } from "../host/index.js";
import { CliUsageError, type CliIo } from "./io.js";

/** The engine options of a command. */
export interface EngineFlags {
  fleet?: string;
  fleetTokenFile?: string;
  fleetUser?: string;
  fleetPasswordFile?: string;
  fleetTlsCa?: string;
  fleetTlsCert?: string;
  fleetTlsKey?: string;
}

/** What `serve --fleet` takes. */
export interface FleetServeFlags extends EngineFlags {
  fleetName?: string;
  fleetPoll?: string;
}

/** Adds the engine's URL and credentials to a command. */
export function addEngineOptions(cmd: Command, urlHelp = "the engine (default: HOTWASM_FLEET, else nats://127.0.0.1:4222); comma-separated for a cluster"): Command {
  return cmd
    .option("--fleet <urls>", urlHelp)
    .option("--fleet-token-file <file>", "the engine's token, from a file (default: HOTWASM_FLEET_TOKEN)")
    .option("--fleet-user <name>", "the engine's user (default: HOTWASM_FLEET_USER); the password from --fleet-password-file or HOTWASM_FLEET_PASSWORD")
    .option("--fleet-password-file <file>", "the engine user's password, from a file")
    .option("--fleet-tls-ca <file>", "trust this CA (PEM) for the engine's TLS certificate")
    .option("--fleet-tls-cert <file>", "a client certificate (PEM) for the engine; needs --fleet-tls-key")
    .option("--fleet-tls-key <file>", "the client certificate's private key (PEM)");
}

/** Adds `serve`'s fleet options (it joins only with --fleet). */
export function addFleetServeOptions(cmd: Command): Command {
  return addEngineOptions(cmd, "join the fleet on this engine: nats://HOST:PORT, comma-separated for a cluster")
    .option("--fleet-name <name>", "this host's name in the fleet (default: the machine's name)")
    .option("--fleet-poll <duration>", "how often the host reads the fleet's state (the watch only speeds things up)", "10s");
}

/** Connects a command to the engine; the caller closes it. */
export async function openEngineFrom(flags: EngineFlags, io: CliIo): Promise<FleetEngine> {
  return connectEngine(await engineOptionsFrom(flags, io));
}

/** The engine options the flags and environment describe; a file that cannot be read, or options that do not fit together, are usage errors. */
export async function engineOptionsFrom(flags: EngineFlags, io: CliIo): Promise<EngineOptions> {
  try {
    return await readEngineOptions({
      servers: flags.fleet, tokenFile: flags.fleetTokenFile, user: flags.fleetUser, passwordFile: flags.fleetPasswordFile,
      tlsCa: flags.fleetTlsCa, tlsCert: flags.fleetTlsCert, tlsKey: flags.fleetTlsKey,
    }, io.env ?? {}, io.cwd);
  } catch (err) {
    if (isHotwasmError(err) && err.code === "E_FLEET_CONFIG") throw new CliUsageError(err.message);
    throw err;
  }
}

/** `serve --fleet`: starts the agent of `target` (null without --fleet) and the debug page's fleet section. */
export async function joinFleet(flags: FleetServeFlags, target: AdminTarget, kind: "host" | "pool", signed: boolean, maxPatchBytes: number, io: CliIo): Promise<{ agent: FleetAgent; debugSections: DebugSections } | null> {
  if (flags.fleet === undefined) return null;
  const engine = await engineOptionsFrom(flags, io);
  if (!signed) io.err("hotwasm serve: warning: the fleet's patches load unsigned; give --trusted-keys to accept only patches signed by your keys");
  let pollMs: number;
  try {
    pollMs = parseDuration(flags.fleetPoll ?? "10s");
  } catch (err) {
    throw new CliUsageError(`--fleet-poll: ${(err as Error).message}`);
  }
  const agent = FleetAgent.start(target, {
    engine, kind, pollMs, maxPatchBytes, ...(flags.fleetName !== undefined ? { hostId: flags.fleetName } : {}),
    heartbeatMs: Math.min(pollMs, 10_000), log: (line) => io.out(`hotwasm serve: fleet: ${line}`),
  });
  return { agent, debugSections: () => ({ fleet: agent.debugSection() }) };
}
