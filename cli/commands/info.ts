// `hotwasm info [--json]`: the patches loaded in a running `hotwasm serve` (hotgo's GetHPInfo).

import type { Command } from "commander";
import type { HPInfo } from "../../host/core/host.js";
import { addClientOptions, clientFrom, type ClientOptions } from "../admin-options.js";
import type { CliIo } from "../io.js";

/** Adds the info command. */
export function registerInfo(program: Command, io: CliIo): void {
  addClientOptions(
    program
      .command("info")
      .description("list the patches loaded in a running server, oldest first"),
  )
    .option("--json", "print hotgo's JSON (with hotwasm's additions)")
    .addHelpText("after", `
Examples:
  $ hotwasm info
  $ hotwasm info --json --url http://127.0.0.1:9000 --rpc`)
    .action(async (opts: ClientOptions & { json?: boolean }) => {
      const info = await (await clientFrom(opts, io)).info();
      io.out(opts.json ? JSON.stringify(info, null, 2) : formatInfo(info));
    });
}

/** One block per patch: id, file, what it replaces (and whether it is in force), refs, policy, state. */
export function formatInfo(info: HPInfo[]): string {
  if (info.length === 0) return "no patches loaded";
  return info
    .map((p) => {
      const replaces = p.replaces.map((r) => `${r.export} -> ${r.symbol}${r.in_force ? "" : " (shadowed)"}`).join(", ") || "nothing";
      const refs = p.refs.map((r) => `${r.name} -> ${r.symbol}`).join(", ") || "none";
      const lines = [`${p.hp_id}`, `  file     ${p.config.hp_file || "(uploaded)"}, ${p.size} bytes, loaded ${p.loaded_at}`, `  replaces ${replaces}`, `  refs     ${refs}`];
      if (p.policy) lines.push(`  policy   at most ${p.policy.max_traps} traps in ${p.policy.window_ms} ms; ${p.traps ?? 0} so far`);
      if (p.state === "retained") lines.push(`  state    retained: ${p.retained_reason ?? ""}`);
      if (p.state === "rolled_back") lines.push(`  state    rolled back at ${p.rolled_back?.at ?? ""}: ${p.rolled_back?.reason ?? ""}`);
      return lines.join("\n");
    })
    .join("\n");
}
