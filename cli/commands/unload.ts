// `hotwasm unload HP_ID`: unloads a patch from a running `hotwasm serve`.

import type { Command } from "commander";
import { printable } from "../../host/model/printable.js";
import { addClientOptions, clientFrom, type ClientOptions } from "../admin-options.js";
import { CliUsageError, type CliIo } from "../io.js";

/** Adds the unload command. */
export function registerUnload(program: Command, io: CliIo): void {
  addClientOptions(
    program
      .command("unload")
      .description("unload a patch from a running server (hotgo's UnloadHP)")
      .argument("<hp_id>", "the id `hotwasm load` printed (see `hotwasm info`)"),
  )
    .addHelpText("after", `
Examples:
  $ hotwasm unload f92cbaf0...            # the full 64-digit id
  $ hotwasm unload "$(hotwasm load build/hp.wasm)" --rpc`)
    .action(async (hpId: string, opts: ClientOptions) => {
      if (!/^[0-9a-f]{64}$/.test(hpId)) throw new CliUsageError(`HP_ID is the 64 hex digits hotwasm load printed (hotwasm info lists them), not "${hpId}"`);
      const { warnings } = await (await clientFrom(opts, io)).unload(hpId);
      for (const warning of warnings) io.err(`warning: ${printable(String(warning))}`);
      io.out(`unloaded ${printable(hpId)}`);
    });
}
