// What the admin commands share: the token (a file or HOTWASM_TOKEN, never the command line) and,
// for the client commands, the server's URL and transport.

import type { Command } from "commander";
import { resolve } from "node:path";
import { createAdminClient, type AdminClient } from "../host/admin/admin-client.js";
import { describeError } from "../host/errors.js";
import { readRegularFile } from "../host/node/regular-file.js";
import { CliUsageError, type CliIo } from "./io.js";

/** The client options of a command. */
export interface ClientOptions {
  server?: string;
  url?: string;
  tokenFile?: string;
  rpc?: boolean;
}

/** The default server URL. */
export const DEFAULT_URL = "http://127.0.0.1:8080";

/** Adds --server (alias --url), --token-file and --rpc to a client command. */
export function addClientOptions(cmd: Command): Command {
  return cmd
    .option("--server <url>", `the server (default: HOTWASM_URL, else ${DEFAULT_URL})`)
    .option("--url <url>", "the same as --server")
    .option("--token-file <file>", "a file holding the server's token (default: HOTWASM_TOKEN)")
    .option("--rpc", "call the JSON-RPC API (POST /hp) instead of the HTTP API");
}

/** The client a command's options describe. */
export async function clientFrom(opts: ClientOptions, io: CliIo): Promise<AdminClient> {
  const url = opts.server ?? opts.url ?? io.env?.HOTWASM_URL ?? DEFAULT_URL;
  if (!/^https?:\/\/[^/]+\/?$/.test(url)) throw new CliUsageError(`--server must look like http://HOST:PORT, not "${url}"`);
  return createAdminClient({ url, token: await readToken(opts.tokenFile, io), rpc: !!opts.rpc });
}

/** The token from `file` (trimmed), else HOTWASM_TOKEN, else none. */
export async function readToken(file: string | undefined, io: CliIo): Promise<string | undefined> {
  if (file === undefined) return io.env?.HOTWASM_TOKEN || undefined;
  let text: string;
  try {
    text = new TextDecoder().decode(await readRegularFile(resolve(io.cwd, file), { maxBytes: 64 * 1024, code: "E_ADMIN_CONFIG", shown: file, follow: true }));
  } catch (err) {
    throw new CliUsageError(`cannot read the token file ${file}: ${describeError(err)}`);
  }
  const token = text.trim();
  if (token === "") throw new CliUsageError(`the token file ${file} is empty`);
  return token;
}

/** The TLS certificate and key of `serve --tls-cert F --tls-key F` (both or neither). */
export async function readTls(certFile: string | undefined, keyFile: string | undefined, io: CliIo): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new CliUsageError("--tls-cert and --tls-key go together");
  const read = async (option: string, file: string) => {
    try {
      return Buffer.from(await readRegularFile(resolve(io.cwd, file), { maxBytes: 1024 * 1024, code: "E_ADMIN_CONFIG", shown: file, follow: true }));
    } catch (err) {
      throw new CliUsageError(`cannot read the ${option} file ${file}: ${describeError(err)}`);
    }
  };
  return { cert: await read("--tls-cert", certFile), key: await read("--tls-key", keyFile) };
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
