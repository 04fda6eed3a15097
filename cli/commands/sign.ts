// `hotwasm sign PATCH --key NAME.key [-o OUT]`: signs a patch (ed25519) for servers that trust the key,
// for loading with one config: the one embedded in the patch, the one given with --replace/--ref, or any.

import type { Command } from "commander";
import { HotwasmError } from "../../host/errors.js";
import { effectiveConfig } from "../../host/model/config.js";
import { printable } from "../../host/model/printable.js";
import { identifyPatch } from "../../host/link/patch-identity.js";
import { canonicalJson, splitSignature, stripSignature } from "../../host/link/patch-signature.js";
import { signPatch } from "../../host/node/patch-signing.js";
import { parsePairs } from "../admin-options.js";
import { collect, CliUsageError, type CliIo } from "../io.js";
import { compileModule, readInput, writeOutput } from "../read-input.js";

/** Adds the sign command. */
export function registerSign(program: Command, io: CliIo): void {
  program
    .command("sign")
    .description("sign a patch with an ed25519 key (for serve --trusted-keys)")
    .argument("<patch>", "the patch .wasm")
    .requiredOption("--key <file>", "the private key (PEM), from hotwasm keygen")
    .option("-o, --out <file>", "where to write the signed patch (default: PATCH itself)")
    .option("--replace <export=symbol>", "sign for this replace_config (repeatable; default: the patch's own)", collect, [])
    .option("--ref <name=symbol>", "sign for this ref_config (repeatable; default: the patch's own)", collect, [])
    .option("--any-config", "let the patch be loaded with any replace_config and ref_config")
    .addHelpText("after", `
The signature is a "hotwasm.sig" custom section, the module's last section, over every byte
before it and over the config the patch may be loaded with: by default the replace_config and
ref_config embedded in the patch (hotwasm build/patch), else the maps given with --replace and
--ref. A server refuses the patch with any other config (E_SIGNED_CONFIG_MISMATCH), unless it
was signed with --any-config. Signing again replaces the signature.

Examples:
  $ hotwasm sign build/hp.wasm --key release.key
  $ hotwasm sign build/hp.wasm --key release.key -o dist/hp.signed.wasm
  $ hotwasm sign build/fix.wasm --key release.key --replace NewFunc1=main.func1`)
    .action(async (patch: string, opts: { key: string; out?: string; replace: string[]; ref: string[]; anyConfig?: boolean }) => {
      const bytes = await readInput(io, patch, "", "E_PATCH_READ_FAILED");
      compileModule(bytes, patch);
      const key = new TextDecoder().decode(await readInput(io, opts.key, "the key"));
      if (!/-----BEGIN PRIVATE KEY-----/.test(key)) throw new HotwasmError("E_WRONG_FILE_TYPE", `${opts.key} is not a PEM private key (hotwasm keygen NAME makes NAME.key)`);
      const replace_config = parsePairs("--replace", opts.replace);
      const ref_config = parsePairs("--ref", opts.ref);
      if (opts.anyConfig && (replace_config || ref_config)) throw new CliUsageError("--any-config and --replace/--ref exclude each other");
      const { meta } = identifyPatch(stripSignature(bytes));
      const config = opts.anyConfig ? "any" as const : effectiveConfig({ replace_config, ref_config }, meta);
      const signed = signPatch(bytes, key, config);
      const out = opts.out ?? patch;
      await writeOutput(io, out, signed);
      const shown = config === "any" ? "any config" : canonicalJson({ replace_config: config.replace_config, ref_config: config.ref_config });
      io.out(printable(`signed ${out} with key ${splitSignature(signed).signature!.key_id}, for loading with ${shown}`));
    });
}
