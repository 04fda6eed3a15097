// The live-patching page in a real headless Chromium (Debian's chromium, driven by playwright-core):
// open the page served by `hotwasm dev`, read its state, load example patches and see the drawing
// and the behaviour change while the step counter keeps counting, unload them and see it return;
// then edit a source in a temporary copy of web/ and see the dev loop patch the page, explain an
// edit it cannot patch, and rebuild for a full reload. Screenshots go to test-results/.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { findChromium, launchChromium } from "../helpers/chromium.js";
import { startHotwasm, stopDevProcesses, type HotwasmProcess } from "../helpers/dev-process.js";
import { root } from "../helpers/example-app.js";
import { copyWebProject, editFile } from "../helpers/web-project.js";

const executable = findChromium();
const required = process.env.HOTWASM_REQUIRE_BROWSER === "1";
if (!executable && !required) {
  console.warn("SKIPPED the browser test: no chromium binary (apt-get install -y chromium, or set HOTWASM_CHROMIUM=/path/to/chromium)");
}

const AMBER = "255,200,87"; // the base's live cells
const NEON = "61,245,255"; // patches/neon.ts's live cells
const ICE = "90,240,255"; // the live cells after the edit below
const results = join(root, "test-results");

describe.skipIf(!executable && !required)("the live-patching page in headless Chromium", () => {
  let dir = "";
  let dev: HotwasmProcess;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    if (!executable) throw new Error("HOTWASM_REQUIRE_BROWSER=1, but there is no chromium binary: apt-get install -y chromium");
    await mkdir(results, { recursive: true });
    dir = await copyWebProject();
    dev = await startHotwasm(dir, ["dev", "--port", "0"], /^hotwasm dev: serving (http:\S+)$/);
    browser = await launchChromium(executable);
    page = await browser.context.newPage();
    page.on("pageerror", (err) => errors.push(err.message));
    page.setDefaultTimeout(60_000);
    await page.goto(dev.url);
  });
  afterAll(async () => {
    await browser?.close();
    stopDevProcesses();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const steps = async () => Number((await page.textContent("#steps"))!.replace(/,/g, ""));
  const counting = async (past: number) => page.waitForFunction((n) => Number(document.getElementById("steps")!.textContent!.replace(/,/g, "")) > n, past);
  const state = (wanted: string) => page.waitForSelector(`#dev[data-state="${wanted}"]`);
  /** How many canvas pixels have each colour ("r,g,b"). */
  const colours = () => page.evaluate(() => {
    const canvas = document.getElementById("board") as HTMLCanvasElement;
    const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
    const count: Record<string, number> = {};
    for (let i = 0; i < data.length; i += 4) count[`${data[i]},${data[i + 1]},${data[i + 2]}`] = (count[`${data[i]},${data[i + 1]},${data[i + 2]}`] ?? 0) + 1;
    return count;
  });
  const drawnIn = (present: string, absent: string) => page.waitForFunction(([yes, no]) => {
    const canvas = document.getElementById("board") as HTMLCanvasElement;
    const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
    let seen = 0;
    for (let i = 0; i < data.length; i += 4) {
      const rgb = `${data[i]},${data[i + 1]},${data[i + 2]}`;
      if (rgb === no) return false;
      if (rgb === yes) seen++;
    }
    return seen > 0;
  }, [present, absent] as const);
  const texts = (selector: string) => page.$$eval(selector, (els) => els.map((e) => e.textContent!.trim()));

  test("the page runs the program: the counter counts, the rule and the board show, the functions are listed", async () => {
    await state("connected");
    await page.waitForSelector('button[data-example="neon"]:not([disabled])');
    await counting(10);
    expect(await page.textContent("#rule")).toBe("B3/S23 · Conway's Life");
    const drawn = await colours();
    expect(drawn[AMBER]).toBeGreaterThan(0);
    expect(drawn[NEON]).toBeUndefined();
    expect(await texts("#functions li")).toEqual(expect.arrayContaining(["board/rule", "board/step", "palette/cellColor", "palette/render"]));
    expect(await texts("#examples .name")).toEqual(["gliders", "highlife", "neon"]);
    expect(await texts("#stack li")).toEqual([]);
    await page.screenshot({ path: join(results, "web-before.png"), fullPage: true });
  });

  test("example patches change the drawing and the behaviour while the counter keeps counting; unloading brings it back", async () => {
    await page.evaluate(() => { (window as { kept?: boolean }).kept = true; });
    const before = await steps();
    await page.click('button[data-example="neon"]');
    await page.waitForSelector('button[data-example="neon"].unload');
    await page.click('button[data-example="highlife"]');
    await page.waitForFunction(() => document.getElementById("rule")!.textContent === "B36/S23 · HighLife");
    await drawnIn(NEON, AMBER);
    await counting(before + 10);
    expect(await texts("#stack li")).toEqual(["highlife → board/rule", "neon → palette/cellColor"]);
    expect(await texts("#functions li.patched")).toEqual(["board/rule", "palette/cellColor"]);
    await page.screenshot({ path: join(results, "web-patched.png"), fullPage: true });
    const patched = await steps();
    await page.click('button[data-example="highlife"]');
    await page.waitForSelector('button[data-example="highlife"]:not(.unload)');
    await page.click('button[data-example="neon"]');
    await page.waitForFunction(() => document.getElementById("rule")!.textContent === "B3/S23 · Conway's Life");
    await drawnIn(AMBER, NEON);
    await counting(patched + 10);
    expect(await texts("#stack li")).toEqual([]);
    expect(await texts("#functions li.patched")).toEqual([]);
    expect(await page.evaluate(() => (window as { kept?: boolean }).kept)).toBe(true);
  });

  test("a saved edit is patched into the page without a reload: the drawing changes, the counter keeps counting", async () => {
    const before = await steps();
    const mark = dev.lines.length;
    const saved = Date.now();
    await editFile(join(dir, "assembly/palette.ts"), "rgb(255, 200, 87)", "rgb(90, 240, 255)");
    await drawnIn(ICE, AMBER);
    const latency = Date.now() - saved;
    await state("applied");
    expect(await page.textContent("#dev-status")).toMatch(/^dev patch \d+ applied in [\d.]+ ms: palette\/cellColor \(built in [\d.]+ s\)$/);
    expect(await steps()).toBeGreaterThan(before);
    expect(await texts("#stack li")).toEqual([expect.stringMatching(/^dev patch \d+ → palette\/cellColor$/)]);
    expect(await page.evaluate(() => (window as { kept?: boolean }).kept)).toBe(true);
    await dev.waitForLine(/^hotwasm dev: {3}page \w+: applied patch \d+ in [\d.]+ ms$/, mark);
    console.log(`save -> drawn in the page: ${latency} ms`);
    await page.screenshot({ path: join(results, "web-dev-patched.png"), fullPage: true });
  });

  test("an edit that cannot be patched is explained with a full reload offered; a compile error shows the compiler's message", async () => {
    const board = join(dir, "assembly/board.ts");
    await editFile(board, "export function cooling(): i32 {", "export function cooling(extra: i32 = 0): i32 {");
    await state("problem");
    expect(await page.textContent("#dev-problem-text")).toMatch(/^this edit cannot be patched into the running program:\n {2}E_SIGNATURE_MISMATCH: assembly\/board\/cooling changed its signature/);
    expect(await page.isVisible("#dev-reload")).toBe(true);
    await drawnIn(ICE, AMBER); // the program runs on with the code it had
    await page.screenshot({ path: join(results, "web-dev-problem.png"), fullPage: true });
    await editFile(board, "export function cooling(extra: i32 = 0): i32 {", "export function cooling(): i32 {");
    await state("applied");
    expect(await page.isVisible("#dev-problem")).toBe(false);
    await editFile(board, "return 14;", "return fourteen;");
    await page.waitForFunction(() => /Cannot find name 'fourteen'/.test(document.getElementById("dev-problem-text")!.textContent!));
    expect(await page.textContent("#dev-problem-text")).toMatch(/^compile error in assembly\/board\.ts:\n[^]*assembly\/board\.ts/);
    await editFile(board, "return fourteen;", "return 14;");
    await state("applied");
  });

  test("Rebuild & reload starts the page over on a base rebuilt from the edited sources", async () => {
    const before = await steps();
    await editFile(join(dir, "assembly/board.ts"), "export function cooling(): i32 {", "export function cooling(extra: i32 = 0): i32 {");
    await state("problem");
    await page.click("#dev-reload");
    await page.waitForFunction(() => !(window as { kept?: boolean }).kept && document.getElementById("dev")!.dataset.state === "connected");
    await page.waitForSelector('button[data-example="neon"]:not([disabled])');
    await drawnIn(ICE, AMBER); // the rebuilt base draws the edited colour with no patch at all
    expect(await texts("#stack li")).toEqual([]);
    expect(await steps()).toBeLessThan(before);
    await counting(await steps());
    expect(errors).toEqual([]);
  });
});
