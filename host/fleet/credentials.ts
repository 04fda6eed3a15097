// Engine options from what a command was given: URLs, and secrets from files or the environment
// (HOTWASM_FLEET_TOKEN, HOTWASM_FLEET_PASSWORD), never from the command line.

import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { HotwasmError, describeError } from "../errors.js";
import { checkServers, type EngineOptions } from "./engine.js";

/** What a command knows about the engine: file names and a user name, no secret itself. */
export interface EngineSources {
  /** Comma-separated engine URLs (default HOTWASM_FLEET, else nats://127.0.0.1:4222). */
  servers?: string;
  tokenFile?: string;
  user?: string;
  passwordFile?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}

/** The default engine URL. */
export const DEFAULT_ENGINE_URL = "nats://127.0.0.1:4222";

/** Reads the secrets a command's options name; E_FLEET_CONFIG when a file is unreadable or they do not fit together. */
export async function readEngineOptions(sources: EngineSources, env: Record<string, string | undefined>, cwd: string): Promise<EngineOptions> {
  const servers = checkServers((sources.servers ?? env.HOTWASM_FLEET ?? DEFAULT_ENGINE_URL).split(",").map((s) => s.trim()).filter((s) => s !== ""));
  const token = sources.tokenFile !== undefined ? await readSecret(sources.tokenFile, "token", cwd) : env.HOTWASM_FLEET_TOKEN || undefined;
  const user = sources.user ?? (env.HOTWASM_FLEET_USER || undefined);
  const pass = sources.passwordFile !== undefined ? await readSecret(sources.passwordFile, "password", cwd) : env.HOTWASM_FLEET_PASSWORD || undefined;
  if (pass !== undefined && user === undefined) throw new HotwasmError("E_FLEET_CONFIG", "a fleet password needs a user (--fleet-user or HOTWASM_FLEET_USER)");
  if (user !== undefined && pass === undefined) throw new HotwasmError("E_FLEET_CONFIG", "the fleet user needs a password (--fleet-password-file or HOTWASM_FLEET_PASSWORD)");
  if (token !== undefined && user !== undefined) throw new HotwasmError("E_FLEET_CONFIG", "give the engine a token or a user and password, not both");
  if ((sources.tlsCert === undefined) !== (sources.tlsKey === undefined)) throw new HotwasmError("E_FLEET_CONFIG", "--fleet-tls-cert and --fleet-tls-key go together");
  const pem = (file: string | undefined, what: string) => (file === undefined ? undefined : readText(file, what, cwd));
  const [ca, cert, key] = await Promise.all([pem(sources.tlsCa, "TLS CA"), pem(sources.tlsCert, "TLS certificate"), pem(sources.tlsKey, "TLS key")]);
  const tls = ca !== undefined || cert !== undefined ? { ...(ca !== undefined ? { ca } : {}), ...(cert !== undefined ? { cert, key } : {}) } : undefined;
  return { servers, ...(token !== undefined ? { token } : {}), ...(user !== undefined ? { user, pass } : {}), ...(tls ? { tls } : {}) };
}

async function readSecret(file: string, what: string, cwd: string): Promise<string> {
  const text = (await readText(file, what, cwd)).trim();
  if (text === "") throw new HotwasmError("E_FLEET_CONFIG", `the fleet ${what} file ${file} is empty`);
  return text;
}

async function readText(file: string, what: string, cwd: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), "utf8");
  } catch (cause) {
    throw new HotwasmError("E_FLEET_CONFIG", `cannot read the fleet ${what} file ${file}: ${describeError(cause)}`, { cause });
  }
}
