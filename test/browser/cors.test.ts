// `serve --allow-origin` for a real page in headless Chromium: a page from the allowed origin
// loads, lists and unloads a patch with a token (its preflights answered); a page from another
// origin cannot read a thing.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createServer, type Server } from "node:http";
import { dirname } from "node:path";
import { findChromium, launchChromium } from "../helpers/chromium.js";
import { exampleBinaries } from "../helpers/example-app.js";
import { consoleImports } from "../../host/core/console-imports.js";
import { startAdminServer, type AdminServer } from "../../host/node/admin-server.js";
import { instantiateServedHost } from "../../host/node/serve-host.js";
import { listenOn } from "../../host/node/listen.js";

const executable = findChromium();
const required = process.env.HOTWASM_REQUIRE_BROWSER === "1";
const TOKEN = "browser-cors-token-0123456789";

/** A server of one empty page; its origin is the page's origin. */
async function pageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>page</title>"));
  return { server, origin: await listenOn(server, "127.0.0.1", 0) };
}

describe.skipIf(!executable && !required)("--allow-origin for a page in headless Chromium", () => {
  let admin: AdminServer;
  let allowed: { server: Server; origin: string };
  let other: { server: Server; origin: string };
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;

  beforeAll(async () => {
    if (!executable) throw new Error("HOTWASM_REQUIRE_BROWSER=1, but there is no chromium binary: apt-get install -y chromium");
    const { appPath, patchPath } = await exampleBinaries();
    allowed = await pageServer();
    other = await pageServer();
    const { host } = await instantiateServedHost({ app: appPath, patchDir: dirname(patchPath), imports: (get) => consoleImports(get, () => {}) });
    admin = await startAdminServer(host, { port: 0, token: TOKEN, allowedOrigins: [allowed.origin.replace(/\/$/, "")] });
    browser = await launchChromium(executable);
  });
  afterAll(async () => {
    await browser?.close();
    await admin?.close();
    allowed?.server.close();
    other?.server.close();
  });

  /** Runs the load / info / unload round in a page from `origin`; what it read, or the error. */
  async function roundFrom(origin: string): Promise<unknown> {
    const page = await browser!.context.newPage();
    await page.goto(origin);
    const result = await page.evaluate(async ({ api, token }) => {
      const call = async (path: string, body?: unknown) => {
        const res = await fetch(`${api}${path}`, {
          method: body === undefined ? "GET" : "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return res.json();
      };
      try {
        const { hp_id } = await call("/hp/v1/load", { hp_file: "hp.wasm" });
        const info = await call("/hp/v1/info");
        const unloaded = await call("/hp/v1/unload", { hp_id });
        return { loaded: typeof hp_id === "string" && hp_id.length === 64, listed: info.map((p: { hp_id: string }) => p.hp_id === hp_id), unloaded };
      } catch (err) {
        return { error: String(err) };
      }
    }, { api: admin.url.replace(/\/$/, ""), token: TOKEN });
    await page.close();
    return result;
  }

  test("the allowed origin's page drives the API; another origin's page reads nothing", async () => {
    expect(await roundFrom(allowed.origin)).toEqual({ loaded: true, listed: [true], unloaded: { error: "" } });
    expect(await roundFrom(other.origin)).toEqual({ error: expect.stringMatching(/TypeError: Failed to fetch/) });
  });
});
