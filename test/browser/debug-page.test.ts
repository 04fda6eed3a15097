// The /hpdebug page in a real headless Chromium on a phone-sized screen: it fits the screen (its
// tables scroll on their own), wears the live page's colours, and shows a load's timings in
// readable units. A screenshot goes to test-results/.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { findChromium, launchChromium } from "../helpers/chromium.js";
import { exampleBinaries, root } from "../helpers/example-app.js";
import { consoleImports } from "../../host/core/console-imports.js";
import { startAdminServer, type AdminServer } from "../../host/node/admin-server.js";
import { instantiateServedHost } from "../../host/node/serve-host.js";

const executable = findChromium();
const required = process.env.HOTWASM_REQUIRE_BROWSER === "1";

describe.skipIf(!executable && !required)("/hpdebug on a narrow screen", () => {
  let server: AdminServer;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;

  beforeAll(async () => {
    if (!executable) throw new Error("HOTWASM_REQUIRE_BROWSER=1, but there is no chromium binary: apt-get install -y chromium");
    const { appPath, patch } = await exampleBinaries();
    const { host } = await instantiateServedHost({ app: appPath, imports: (get) => consoleImports(get, () => {}) });
    server = await startAdminServer(host, { port: 0, rpc: true });
    await host.loadHP({ hp_bytes: patch, replace_config: { NewFunc1: "main.func1" }, ref_config: { Global: "main.globalValue", Func2Ref: "main.func2" } });
    browser = await launchChromium(executable);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test("fits a 360 px screen, with the live page's colours and readable timings", async () => {
    const page = await browser!.context.newPage();
    await page.setViewportSize({ width: 360, height: 740 });
    const res = await page.goto(`${server.url}/hpdebug`);
    expect(res?.status()).toBe(200);
    const view = await page.evaluate(() => ({
      pageWidth: document.documentElement.scrollWidth,
      screenWidth: window.innerWidth,
      background: getComputedStyle(document.body).backgroundColor,
      text: document.body.innerText,
    }));
    await mkdir(join(root, "test-results"), { recursive: true });
    await page.screenshot({ path: join(root, "test-results", "hpdebug-narrow.png"), fullPage: true });
    expect(view.pageWidth).toBeLessThanOrEqual(view.screenWidth);
    expect(view.background).toBe("rgb(11, 14, 26)"); // --bg of web/page/style.css
    expect(view.text).toMatch(/timings: validate [\d.]+ (µs|ms|s), compile [\d.]+ (µs|ms|s), instantiate [\d.<]+ (µs|ms|s), commit [\d.<]+ (µs|ms|s)/);
    expect(view.text).not.toMatch(/\d\.\d{4,}/);
    await page.close();
  });
});
