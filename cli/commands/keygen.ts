// `hotwasm keygen NAME`: a new ed25519 key pair for signing patches: NAME.key and NAME.pub.

import type { Command } from "commander";
import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import { generateSigningKeys } from "../../host/node/patch-signing.js";
import { CliUsageError, type CliIo } from "../io.js";
import { writeOutput } from "../read-input.js";

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
      if (/(^|[\\/])\.{0,2}$/.test(name)) throw new CliUsageError(`NAME must name a file (NAME.key, NAME.pub are written), not the directory "${name}"`);
      const keys = generateSigningKeys();
      await writeOutput(io, `${name}.pub`, keys.publicKeyPem, { exclusive: true });
      try {
        await writeOutput(io, `${name}.key`, keys.privateKeyPem, { exclusive: true, mode: 0o600 });
      } catch (err) {
        await rm(resolve(io.cwd, `${name}.pub`), { force: true }); // no public key without its private key
        throw err;
      }
      io.out(`key ${keys.keyId}: wrote ${name}.key (private) and ${name}.pub (public)`);
    });
}
