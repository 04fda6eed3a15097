// Test helper: Debian's chromium driven by playwright-core (no browser download): where it is,
// and a headless launch with a fresh profile directory.

import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

/** The chromium binary: HOTWASM_CHROMIUM, else chromium (or chromium-browser) on the PATH; null when there is none. */
export function findChromium(): string | null {
  const given = process.env.HOTWASM_CHROMIUM;
  if (given) return existsSync(given) ? given : null;
  for (const dir of (process.env.PATH ?? "").split(delimiter).concat("/usr/bin")) {
    for (const name of ["chromium", "chromium-browser"]) if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** A headless browser with a fresh profile; close() removes the profile too. */
export async function launchChromium(executablePath: string): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), "hotwasm-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath, headless: true, viewport: { width: 1320, height: 820 }, timeout: 60_000,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  return { context, close: async () => { await context.close(); await rm(profile, { recursive: true, force: true }); } };
}
