// What the admin commands share: the token (a file or HOTWASM_TOKEN, never the command line,
// checked by the one rule server and clients share) and, for the client commands, the server's
// URL, transport and timeout.

import type { Command } from "commander";
import { createAdminClient, DEFAULT_CLIENT_TIMEOUT_MS, type AdminClient } from "../host/admin/admin-client.js";
import { checkToken } from "../host/admin/admin-token.js";
import { HotwasmError } from "../host/errors.js";
import { CliUsageError, type CliIo } from "./io.js";
import { readInput } from "./read-input.js";

/** The client options of a command. */
export interface ClientOptions {
  server?: string;
  url?: string;
  tokenFile?: string;
  rpc?: boolean;
  timeout?: string;
}

/** The default server URL. */
export const DEFAULT_URL = "http://127.0.0.1:8080";

/** Adds --server (alias --url), --token-file, --rpc and --timeout to a client command. */
export function addClientOptions(cmd: Command): Command {
  return cmd
    .option("--server <url>", `the server (default: HOTWASM_URL, else ${DEFAULT_URL})`)
    .option("--url <url>", "the same as --server")
    .option("--token-file <file>", "a file holding the server's token (default: HOTWASM_TOKEN)")
    .option("--rpc", "call the JSON-RPC API (POST /hp) instead of the HTTP API")
    .option("--timeout <ms>", `longest wait for the server's answer (default: HOTWASM_TIMEOUT, else ${DEFAULT_CLIENT_TIMEOUT_MS})`);
}

/** The client a command's options describe. */
export async function clientFrom(opts: ClientOptions, io: CliIo): Promise<AdminClient> {
  const url = opts.server ?? opts.url ?? io.env?.HOTWASM_URL ?? DEFAULT_URL;
  if (!/^https?:\/\/[^/]+\/?$/.test(url) || !URL.canParse(url)) throw new CliUsageError(`--server must look like http://HOST:PORT, not "${url}"`);
  const timeout = opts.timeout ?? io.env?.HOTWASM_TIMEOUT ?? String(DEFAULT_CLIENT_TIMEOUT_MS);
  if (!/^\d+$/.test(timeout) || Number(timeout) < 1 || Number(timeout) > 2 ** 31 - 1) {
    throw new CliUsageError(`--timeout must be a whole number of milliseconds from 1, not "${timeout}"`);
  }
  return createAdminClient({ url, token: await readToken(opts.tokenFile, io), rpc: !!opts.rpc, timeoutMs: Number(timeout) });
}

/** The token from `file` (one line; surrounding white space dropped), else HOTWASM_TOKEN, else none; checked by checkToken. */
export async function readToken(file: string | undefined, io: CliIo): Promise<string | undefined> {
  if (file === undefined) {
    const env = io.env?.HOTWASM_TOKEN;
    return env ? checkToken(env, "HOTWASM_TOKEN") : undefined;
  }
  const text = new TextDecoder().decode(await readInput(io, file, "the token file"));
  const token = text.trim();
  if (token === "") throw new HotwasmError("E_ADMIN_CONFIG", `the token file ${file} is empty`);
  return checkToken(token, `the token in ${file}`);
}

/** The TLS certificate and key of `serve --tls-cert F --tls-key F` (both or neither). */
export async function readTls(certFile: string | undefined, keyFile: string | undefined, io: CliIo): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new CliUsageError("--tls-cert and --tls-key go together");
  return {
    cert: Buffer.from(await readInput(io, certFile, "the --tls-cert file")),
    key: Buffer.from(await readInput(io, keyFile, "the --tls-key file")),
  };
}

/** Parses repeated NAME=SYMBOL options into a map (undefined when none were given). */
export function parsePairs(option: string, pairs: string[]): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined;
  // No prototype: "__proto__" or "constructor" is a name like any other.
  const map = Object.create(null) as Record<string, string>;
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0 || at === pair.length - 1) throw new CliUsageError(`${option} takes NAME=SYMBOL, not "${pair}"`);
    map[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return map;
}
