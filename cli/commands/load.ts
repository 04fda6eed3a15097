// `hotwasm load FILE [--replace NAME=SYMBOL]... [--ref NAME=SYMBOL]... [--upload]`: loads a patch
// into a running `hotwasm serve` and prints its hp_id.

import type { Command } from "commander";
import { printable, printableJson } from "../../host/model/printable.js";
import { addClientOptions, clientFrom, parsePairs, type ClientOptions } from "../admin-options.js";
import { collect, CliUsageError, type CliIo } from "../io.js";
import { compileModule, readInput } from "../read-input.js";

/** Adds the load command. */
export function registerLoad(program: Command, io: CliIo): void {
  addClientOptions(
    program
      .command("load")
      .description("load a patch into a running server (hotgo's LoadHP); prints its hp_id")
      .argument("<file>", "the patch: a path on the server, inside its --patch-dir (or a local file with --upload)")
      .option("--replace <export=symbol>", "replace_config entry: patch export -> base function (repeatable)", collect, [])
      .option("--ref <name=symbol>", "ref_config entry: the patch's ref.<name> -> base symbol (repeatable)", collect, [])
      .option("--upload", "read FILE here and send its bytes (application/wasm) instead of its path")
      .option("--max-traps <n>", "trap containment: roll the patch back when its code fails more than N times ...")
      .option("--trap-window-ms <ms>", "... within this many milliseconds (default 60000)"),
  )
    .option("--json", "print the server's answer as JSON")
    .addHelpText("after", `
Without --upload, FILE is sent as hp_file: the server reads it from its patch directory
(serve --patch-dir, default the server's working directory) and refuses paths outside it.
With --upload, FILE is read on this machine and its bytes are sent. Without --replace and
--ref, the config embedded in the patch (hotwasm build) applies.

Examples:
  $ hotwasm load build/hp.wasm                                   # path on the server, default config
  $ hotwasm load build/hp.wasm --replace NewFunc1=main.func1 --ref Global=main.globalValue
  $ hotwasm load ./hp.wasm --upload --url http://10.0.0.5:8080 --token-file ~/.hotwasm-token
  $ hotwasm load build/hp.wasm --rpc                             # the same over JSON-RPC
  $ hotwasm load build/fix.wasm --max-traps 3 --trap-window-ms 10000   # rolled back after a 4th trap in 10 s`)
    .action(async (file: string, opts: ClientOptions & { replace: string[]; ref: string[]; upload?: boolean; json?: boolean; maxTraps?: string; trapWindowMs?: string }) => {
      const config = { replace_config: parsePairs("--replace", opts.replace), ref_config: parsePairs("--ref", opts.ref), ...policyOf(opts) };
      const client = await clientFrom(opts, io);
      const hp_bytes = opts.upload ? await readUpload(io, file) : undefined;
      const hpId = await client.load(hp_bytes ? { hp_bytes, ...config } : { hp_file: file, ...config });
      io.out(opts.json ? printableJson(JSON.stringify({ hp_id: hpId, error: "" })) : printable(hpId));
    });
}

function policyOf(opts: { maxTraps?: string; trapWindowMs?: string }): { policy?: { max_traps: number; window_ms: number } } {
  if (opts.maxTraps === undefined) {
    if (opts.trapWindowMs !== undefined) throw new CliUsageError("--trap-window-ms needs --max-traps");
    return {};
  }
  const whole = (option: string, text: string) => {
    if (!/^\d+$/.test(text)) throw new CliUsageError(`${option} must be a whole number, not "${text}"`);
    return Number(text);
  };
  return { policy: { max_traps: whole("--max-traps", opts.maxTraps), window_ms: whole("--trap-window-ms", opts.trapWindowMs ?? "60000") } };
}

/** A patch to upload: read here, and refused here when it is not WebAssembly (E_INVALID_MODULE). */
async function readUpload(io: CliIo, file: string): Promise<Uint8Array> {
  const bytes = await readInput(io, file, "", "E_PATCH_READ_FAILED");
  compileModule(bytes, file);
  return bytes;
}
