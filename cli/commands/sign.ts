// `hotwasm sign PATCH --key NAME.key [-o OUT]`: signs a patch (ed25519) for servers that trust the key.

import type { Command } from "commander";
import { HotwasmError } from "../../host/errors.js";
import { splitSignature } from "../../host/link/patch-signature.js";
import { signPatch } from "../../host/node/patch-signing.js";
import type { CliIo } from "../io.js";
import { compileModule, readInput, writeOutput } from "../read-input.js";

/** Adds the sign command. */
export function registerSign(program: Command, io: CliIo): void {
  program
    .command("sign")
    .description("sign a patch with an ed25519 key (for serve --trusted-keys)")
    .argument("<patch>", "the patch .wasm")
    .requiredOption("--key <file>", "the private key (PEM), from hotwasm keygen")
    .option("-o, --out <file>", "where to write the signed patch (default: PATCH itself)")
    .addHelpText("after", `
The signature is a "hotwasm.sig" custom section, the module's last section, over every byte
before it; signing again replaces it.

Examples:
  $ hotwasm sign build/hp.wasm --key release.key
  $ hotwasm sign build/hp.wasm --key release.key -o dist/hp.signed.wasm`)
    .action(async (patch: string, opts: { key: string; out?: string }) => {
      const bytes = await readInput(io, patch, "", "E_PATCH_READ_FAILED");
      compileModule(bytes, patch);
      const key = new TextDecoder().decode(await readInput(io, opts.key, "the key"));
      if (!/-----BEGIN PRIVATE KEY-----/.test(key)) throw new HotwasmError("E_WRONG_FILE_TYPE", `${opts.key} is not a PEM private key (hotwasm keygen NAME makes NAME.key)`);
      const signed = signPatch(bytes, key);
      const out = opts.out ?? patch;
      await writeOutput(io, out, signed);
      io.out(`signed ${out} with key ${splitSignature(signed).signature!.key_id}`);
    });
}
