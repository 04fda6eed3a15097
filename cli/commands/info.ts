// `hotwasm info [--json]`: the patches loaded in a running `hotwasm serve` (hotgo's GetHPInfo).

import type { Command } from "commander";
import type { HPInfo } from "../../host/core/host.js";
import { printable, printableJson } from "../../host/model/printable.js";
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
      io.out(opts.json ? printableJson(JSON.stringify(info, null, 2)) : formatInfo(info));
    });
}

/** One block per patch: id, file, what it replaces (and whether it is in force), refs, policy, state;
 * every string the server sent is shown with control characters escaped. */
export function formatInfo(info: HPInfo[]): string {
  return printable(formatRaw(info), true);
}

function formatRaw(info: HPInfo[]): string {
  if (info.length === 0) return "no patches loaded";
  return info
    .map((p) => {
      const one = (value: unknown) => printable(String(value)); // one line each: a newline in a name is escaped too
      const replaces = p.replaces.map((r) => `${one(r.export)} -> ${one(r.symbol)}${r.in_force ? "" : " (shadowed)"}`).join(", ") || "nothing";
      const refs = p.refs.map((r) => `${one(r.name)} -> ${one(r.symbol)}`).join(", ") || "none";
      const lines = [`${one(p.hp_id)}`, `  file     ${one(p.config.hp_file || "(uploaded)")}, ${one(p.size)} bytes, loaded ${one(p.loaded_at)}`, `  replaces ${replaces}`, `  refs     ${refs}`];
      if (p.policy) lines.push(`  policy   at most ${one(p.policy.max_traps)} traps in ${one(p.policy.window_ms)} ms; ${one(p.traps ?? 0)} so far`);
      if (p.state === "retained") lines.push(`  state    retained: ${one(p.retained_reason ?? "")}`);
      if (p.state === "rolled_back") lines.push(`  state    rolled back at ${one(p.rolled_back?.at ?? "")}: ${one(p.rolled_back?.reason ?? "")}`);
      return lines.join("\n");
    })
    .join("\n");
}
