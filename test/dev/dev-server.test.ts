// The dev loop in-process: a dev server over a copy of web/, a Node Host following it with the
// same client the page uses. Saves become patches that replace one another while the program's
// state stays (one brings a new global whose initialiser runs when it is applied); a rude edit
// and a compile error are reported with their codes and messages; a full reload rebuilds the
// base; the page's files, the base and the example patches are served.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { request } from "node:http";
import { execFileSync } from "node:child_process";
import { readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startDevServer, type DevServer } from "../../dev/dev-server.js";
import { connectDevServer, type DevClient } from "../../host/dev/dev-client.js";
import type { DevStatus } from "../../host/dev/dev-status.js";
import { Host } from "../../host/core/host.js";
import { copyWebProject, editFile, waitFor } from "../helpers/web-project.js";

let dir = "";
let server: DevServer;
let host: Host;
let client: DevClient;
const log: string[] = [];
const statuses: DevStatus[] = [];
const amber = 0xff57c8ff | 0; // rgb(255, 200, 87) as the program packs it (bytes r, g, b, a)

beforeAll(async () => {
  dir = await copyWebProject();
  server = await startDevServer({ cwd: dir, port: 0, log: (t) => log.push(t) });
  host = await Host.instantiate(await (await fetch(`${server.url}/__hotwasm/app.wasm`)).arrayBuffer());
  client = connectDevServer(host, { url: server.url, name: "node test", onStatus: (s) => statuses.push(s), retryMs: 100 });
  await client.ready;
  await server.session.idle();
});
afterAll(async () => {
  client?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const palette = () => join(dir, "assembly/palette.ts");
const board = () => join(dir, "assembly/board.ts");
type Of<T extends DevStatus["type"]> = Extract<DevStatus, { type: T }>;
/** The first status of `type` from now on. */
function nextStatus<T extends DevStatus["type"]>(type: T): Promise<Of<T>> {
  const from = statuses.length;
  const found = () => statuses.slice(from).find((s) => s.type === type) as Of<T> | undefined;
  return waitFor(() => !!found(), () => `a "${type}" status, got ${JSON.stringify(statuses.slice(from))}`).then(() => found()!);
}

describe("saves become patches while the program runs on", () => {
  test("an edit is applied in the running host; the step counter and the board carry on", async () => {
    const x = host.exports;
    for (let i = 0; i < 30; i++) x.step();
    const population = x.population();
    expect(x.cellColor(255)).toBe(amber);
    const applied = nextStatus("applied");
    await editFile(palette(), "rgb(255, 200, 87)", "rgb(90, 240, 255)");
    const status = await applied;
    expect(status.patch.changed).toEqual(["assembly/palette/cellColor"]);
    expect(status.patch.files).toEqual(["assembly/palette.ts"]);
    expect(x.cellColor(255) >>> 0).toBe(0xfffff05a);
    expect([x.steps(), x.population()]).toEqual([30, population]);
    expect(x.step()).toBe(31);
    await waitFor(() => log.some((l) => /node test: applied patch \d+ in/.test(l)), "the client's acknowledgement in the terminal");
    expect(log.join("\n")).toMatch(/patch \d+ for assembly\/palette\.ts: palette\/cellColor \(\d+ bytes\); built in \d+ ms, sent to 1 client/);
  });

  test("each new dev patch replaces the previous one: one dev patch in force, then none when the edit is undone", async () => {
    const applied = nextStatus("applied");
    await editFile(board(), "return 14;", "return 40;");
    expect((await applied).patch.changed).toEqual(["assembly/board/cooling", "assembly/palette/cellColor"]);
    expect(host.getHPInfo().map((p) => p.hp_id)).toEqual([client.patchId]);
    expect([host.exports.cooling(), host.exports.cellColor(255) >>> 0]).toEqual([40, 0xfffff05a]);
    const undone = nextStatus("applied");
    await editFile(board(), "return 40;", "return 14;");
    await undone;
    const back = nextStatus("applied");
    await editFile(palette(), "rgb(90, 240, 255)", "rgb(255, 200, 87)");
    expect((await back).hp_id).toBeNull();
    expect(host.getHPInfo()).toEqual([]);
    expect([host.exports.cooling(), host.exports.cellColor(255)]).toEqual([14, amber]);
  });

  test("a new global whose initialiser is not a constant: created when the patch is applied; the program carries on", async () => {
    const x = host.exports;
    const steps = x.steps();
    const applied = nextStatus("applied");
    const [plain, edited] = ["export function cooling(): i32 {\n  return 14;", "const coolings = new Map<i32, i32>().set(1, 25);\n\nexport function cooling(): i32 {\n  return coolings.get(1);"];
    await editFile(board(), plain, edited);
    expect((await applied).patch.changed).toEqual(["assembly/board/cooling"]);
    x.__collect();
    expect([x.cooling(), x.steps()]).toEqual([25, steps]);
    const back = nextStatus("applied");
    await editFile(board(), edited, plain);
    expect((await back).hp_id).toBeNull();
    expect(x.cooling()).toBe(14);
  });
});

describe("edits that cannot be patched", () => {
  test("a rude edit: the codes reach the client and the terminal with the way out; the program keeps its code", async () => {
    const before = host.getHPInfo();
    const problem = nextStatus("problem");
    await editFile(board(), "export function cooling(): i32 {", "export function cooling(extra: i32 = 0): i32 {");
    const p = (await problem).problem;
    expect([p.kind, p.problems.map((r) => r.code)]).toEqual(["refused", ["E_SIGNATURE_MISMATCH"]]);
    expect(log.at(-1)).toMatch(/this edit cannot be patched into the running program:\n  E_SIGNATURE_MISMATCH: assembly\/board\/cooling changed its signature[^]*Rebuild & reload/);
    expect(host.getHPInfo()).toEqual(before);
    expect(host.exports.cooling()).toBe(14);
    const fixed = nextStatus("applied");
    await editFile(board(), "export function cooling(extra: i32 = 0): i32 {", "export function cooling(): i32 {");
    await fixed;
  });

  test("a compile error shows the compiler's message; the fix is applied", async () => {
    const problem = nextStatus("problem");
    await editFile(board(), "return 14;", "return fourteen;");
    const p = (await problem).problem;
    expect([p.kind, p.code]).toEqual(["compile", "E_COMPILE_ERROR"]);
    expect(p.log).toMatch(/Cannot find name 'fourteen'[^]*assembly\/board\.ts/);
    expect(p.log).not.toMatch(/\u001b\[/);
    expect(log.at(-1)).toMatch(/^compile error in assembly\/board\.ts:\n[^]*Cannot find name 'fourteen'/);
    const applied = nextStatus("applied");
    await editFile(board(), "return fourteen;", "return 15;");
    await applied;
    expect(host.exports.cooling()).toBe(15);
  });

  test("a full reload rebuilds the base from the sources now; clients are told to reload", async () => {
    const problem = nextStatus("problem");
    await editFile(board(), "export function cooling(): i32 {", "export function cooling(extra: i32 = 0): i32 {");
    await problem;
    const reload = nextStatus("reload");
    const res = await fetch(`${server.url}/__hotwasm/reload`, { method: "POST" });
    expect(await res.json()).toEqual({ ok: true });
    const status = await reload;
    expect(status.base).toBe(server.session.base.manifest.buildId);
    expect(status.base).not.toBe(host.manifest.buildId);
    expect(new Uint8Array(await readFile(server.session.base.file))).toEqual(server.session.base.binary);
    const fresh = await Host.instantiate(server.session.base.binary);
    expect(fresh.exports.cooling(0)).toBe(15);
  });
});

describe("what the server serves", () => {
  test("the page (its TypeScript bundled for the browser), the base and the example patches", async () => {
    const html = await fetch(`${server.url}/`);
    expect([html.status, html.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"]);
    const js = await (await fetch(`${server.url}/main.js`)).text();
    expect(js).toContain("connectDevServer");
    expect(js).not.toMatch(/from\s*["']node:/);
    const examples = (await (await fetch(`${server.url}/__hotwasm/patches.json`)).json()) as { name: string; description: string; replaces: Record<string, string>; url: string }[];
    expect(examples.map((e) => [e.name, Object.values(e.replaces)])).toEqual([
      ["gliders", ["assembly/board/spawn"]], ["highlife", ["assembly/board/rule"]], ["neon", ["assembly/palette/cellColor"]],
    ]);
    expect(examples.find((e) => e.name === "highlife")!.description).toBe("Cells are born with 3 or 6 neighbours and survive with 2 or 3 (replaces board/rule).");
    const fresh = await Host.instantiate(await (await fetch(`${server.url}/__hotwasm/app.wasm`)).arrayBuffer());
    await fresh.loadHP({ hp_bytes: new Uint8Array(await (await fetch(`${server.url}${examples[1]!.url}`)).arrayBuffer()) });
    expect([fresh.exports.rule(0, 6), fresh.exports.rule(0, 3), fresh.exports.rule(1, 6)]).toEqual([1, 1, 0]);
  });

  test("requests naming another host, and posts from other origins, are refused; unknown paths are 404", async () => {
    const status = (path: string, headers: Record<string, string>, method = "GET") => new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}${path}`, { method, headers }, (res) => { res.resume(); resolve(res.statusCode!); });
      req.on("error", reject);
      req.end();
    });
    expect(await status("/", { host: "evil.example:80" })).toBe(403);
    expect(await status("/__hotwasm/reload", { origin: "http://evil.example" }, "POST")).toBe(403);
    expect(await status("/nope.txt", {})).toBe(404);
    expect(await status("/%2e%2e/asconfig.json", {})).toBe(404);
  });
});

describe("what the server refuses (issue 14, attack 11)", () => {
  const send = (path: string, headers: Record<string, string>, method = "GET", body = "") => new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method, headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => { text += c.toString(); });
      res.on("end", () => resolve({ status: res.statusCode!, text }));
    });
    req.on("error", reject);
    req.end(body);
  });

  test("an opaque (\"null\") or unreadable Origin is refused with E_FORBIDDEN_ORIGIN, not a 500", async () => {
    for (const origin of ["null", "not a url", "http://"]) {
      const res = await send("/__hotwasm/reload", { origin }, "POST");
      expect([origin, res.status, JSON.parse(res.text).code]).toEqual([origin, 403, "E_FORBIDDEN_ORIGIN"]);
    }
  });

  test("an acknowledgement's escape sequences reach the log escaped, never raw", async () => {
    const mark = log.length;
    const ack = { client: "\u001b]0;owned\u0007\u001b[2Jpage", seq: "\u001b[31m7", ok: false, hp_id: null, apply_ms: 1, code: "E_X\u009b2J", message: "line\u001b[1A\rfake: applied patch 9\u202e" };
    expect((await send("/__hotwasm/ack", { "content-type": "application/json" }, "POST", JSON.stringify(ack))).status).toBe(204);
    await waitFor(() => log.length > mark, "the ack's log line");
    const line = log.slice(mark).join("\n");
    expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(line).toBe("  \\x1b]0;owned\\x07\\x1b[2Jpage: patch \\x1b[31m7 NOT applied: E_X\\x9b2J: line\\x1b[1A\\x0dfake: applied patch 9\\u202e");
  });

  test("symlinks are served only when they stay in the page directory; a FIFO is never opened", async () => {
    const page = join(dir, "page");
    await writeFile(join(dir, "secret.txt"), "secret");
    await symlink(join(dir, "secret.txt"), join(page, "leak.txt"));
    await symlink(join(dir, "assembly"), join(page, "src"));
    await symlink(join(page, "style.css"), join(page, "alias.css"));
    execFileSync("mkfifo", [join(page, "pipe.txt")]);
    expect((await send("/leak.txt", {})).status).toBe(404);
    expect((await send("/src/board.ts", {})).status).toBe(404);
    expect((await send("/pipe.txt", {})).status).toBe(404);
    const alias = await send("/alias.css", {});
    expect([alias.status, alias.text]).toEqual([200, await readFile(join(page, "style.css"), "utf8")]);
  });
});
