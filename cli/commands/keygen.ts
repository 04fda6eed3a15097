// `hotwasm keygen NAME`: a new ed25519 key pair for signing patches: NAME.key and NAME.pub.

import type { Command } from "commander";
import { rm, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describeError } from "../../host/errors.js";
import { generateSigningKeys } from "../../host/node/patch-signing.js";
import { CliUsageError, type CliIo } from "../io.js";

/** Adds the keygen command. */
export function registerKeygen(program: Command, io: CliIo): void {
  program
    .command("keygen")
    .description("make an ed25519 key pair for signing patches")
    .argument("<name>", "writes NAME.key (private, mode 600) and NAME.pub (public)")
    .addHelpText("after", `
Keep NAME.key secret; give NAME.pub to the servers (serve --trusted-keys NAME.pub, or a
directory of .pub files). Existing files are never overwritten.

Examples:
  $ hotwasm keygen release            # release.key, release.pub
  $ hotwasm keygen keys/alice`)
    .action(async (name: string) => {
      const keys = generateSigningKeys();
      const base = resolve(io.cwd, name);
      try {
        await writeFile(`${base}.pub`, keys.publicKeyPem, { flag: "wx" });
      } catch (err) {
        throw new CliUsageError(`cannot write ${name}.pub: ${describeError(err)}`);
      }
      try {
        await writeFile(`${base}.key`, keys.privateKeyPem, { flag: "wx", mode: 0o600 });
      } catch (err) {
        await rm(`${base}.pub`, { force: true }); // no public key without its private key
        throw new CliUsageError(`cannot write ${name}.key: ${describeError(err)}`);
      }
      io.out(`key ${keys.keyId}: wrote ${name}.key (private) and ${name}.pub (public)`);
    });
}
