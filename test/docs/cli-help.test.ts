// docs/cli.md and the CLI agree: every command `hotwasm --help` lists has a section, every option
// a command's --help lists is in its section's option table, and the table lists no option the
// command does not have. The CLI runs in-process (runCli), so this takes milliseconds.

import { describe, expect, test } from "vitest";
import { runCli } from "../../cli/main.js";
import { diskWorld, withoutFences } from "../helpers/markdown.js";

const commands = commandsOf(await helpOf([]));
const sections = sectionsOf(diskWorld().read("docs/cli.md"));

describe("docs/cli.md against --help", () => {
  test("the CLI lists its commands, and each has a section on the page", () => {
    expect(commands).toContain("build");
    expect(commands.filter((c) => !sections.has(c))).toEqual([]);
    expect([...sections.keys()].filter((c) => !commands.includes(c))).toEqual([]);
  });

  test.each(commands)("hotwasm %s: the same options in --help and on the page", async (command) => {
    const help = optionsOf(await helpOf([command]));
    const documented = sections.get(command) ?? new Map<string, string>();
    expect(differences(help, documented)).toEqual([]);
  });
});

test("the comparison sees an option missing on either side and a short form left out", () => {
  const help = optionsOf("Usage: x\n\nOptions:\n  -o, --out <file>  output\n  --json            JSON\n  --all             all\n  -h, --help        help\n\nExamples:\n  $ x --nope\n");
  expect([...help]).toEqual([["--out", "-o"], ["--json", ""], ["--all", ""]]);
  const page = sectionsOf("# CLI\n\n## `hotwasm x`\n\n| option | meaning |\n|---|---|\n| `--out <file>` | output |\n| `--json` | JSON |\n| `--extra` | not in help |\n\n## Tests\n");
  expect(differences(help, page.get("x")!)).toEqual([
    "--out: --help gives it as -o, the page does not",
    "--all: in --help, not on the page",
    "--extra: on the page, not in --help",
  ]);
});

/** What `hotwasm ARGS --help` prints. */
async function helpOf(args: string[]): Promise<string> {
  const out: string[] = [];
  const code = await runCli([...args, "--help"], { out: (s) => out.push(s), err: (s) => out.push(s), cwd: process.cwd(), version: "0.0.0", env: {} });
  if (code !== 0) throw new Error(`hotwasm ${args.join(" ")} --help exited with ${code}: ${out.join("\n")}`);
  return out.join("\n");
}

/** The command names of the top-level help (without `help` itself). */
function commandsOf(help: string): string[] {
  const block = /\nCommands:\n([\s\S]*?)(?:\n\n|$)/.exec(help)?.[1] ?? "";
  return [...block.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!).filter((c) => c !== "help");
}

/** The long options of a command's help, each with its short form ("" when none); --help left out. */
function optionsOf(help: string): Map<string, string> {
  const block = /\nOptions:\n([\s\S]*?)(?:\n\n|$)/.exec(help)?.[1] ?? "";
  const options = new Map<string, string>();
  for (const m of block.matchAll(/^ {2}(?:(-[A-Za-z]), )?(--[a-z][a-z0-9-]*)/gm)) if (m[2] !== "--help") options.set(m[2]!, m[1] ?? "");
  return options;
}

/** Each `## \`hotwasm NAME\`` section of the page with the options of its table's first column. */
function sectionsOf(page: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  for (const line of withoutFences(page).split("\n")) {
    const heading = /^## (.*)$/.exec(line);
    if (heading) {
      const name = /^`hotwasm ([a-z][a-z-]*)`$/.exec(heading[1]!.trim())?.[1];
      current = name ? new Map() : null;
      if (name) sections.set(name, current!);
      continue;
    }
    const cell = /^\| `([^|]*)` \|/.exec(line)?.[1];
    if (!current || !cell) continue;
    for (const m of cell.matchAll(/(?:(-[A-Za-z]), )?(--[a-z][a-z0-9-]*)/g)) current.set(m[2]!, m[1] ?? "");
  }
  return sections;
}

/** What differs between the options of --help and those of the page. */
function differences(help: Map<string, string>, page: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [long, short] of help) {
    if (!page.has(long)) out.push(`${long}: in --help, not on the page`);
    else if (page.get(long) !== short) out.push(`${long}: --help gives it as ${short || "no short form"}, the page ${page.get(long) ? `as ${page.get(long)}` : "does not"}`);
  }
  for (const long of page.keys()) if (!help.has(long)) out.push(`${long}: on the page, not in --help`);
  return out;
}
