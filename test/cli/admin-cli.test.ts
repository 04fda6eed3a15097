// The admin plane end to end: the real `hotwasm serve` process on port 0 and the real CLI
// (keygen, sign, load, info, unload) against it, over HTTP and JSON-RPC, by path and by upload.

import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { hotwasm, startServe, stopAll } from "../helpers/cli-process.js";
import { makeAdminWorkspace, securedServeArgs } from "../helpers/admin-workspace.js";

let dir = "";
beforeAll(async () => {
  dir = await makeAdminWorkspace();
});
afterEach(stopAll);
afterAll(() => rm(dir, { recursive: true, force: true }));

const secured = securedServeArgs("audit.log");

test("load, info, unload of a signed patch over HTTP and JSON-RPC, by path and by upload", async () => {
  const serve = await startServe(dir, secured);
  expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(serve.lines).toContainEqual(expect.stringMatching(/^hotwasm serve: token required; patches from .*\/patches, signed by [0-9a-f]{16}; JSON-RPC on \/hp/));
  const client = ["--url", serve.url, "--token-file", "token"];
  let value = 100;
  for (const mode of [[], ["--rpc"], ["--upload"], ["--upload", "--rpc"]]) {
    const file = mode.includes("--upload") ? "patches/signed.wasm" : "signed.wasm";
    const mark = serve.lines.length;
    const load = await hotwasm(dir, ["load", file, ...client, ...mode]);
    expect([mode, load.code, load.stderr]).toEqual([mode, 0, ""]);
    const hpId = load.stdout.trim();
    expect(hpId).toMatch(/^[0-9a-f]{64}$/);
    await serve.waitFor((l) => l === `func2: ${value + 15}`, mark);
    const at = serve.lines.indexOf("HPBeforeLoad called", mark);
    expect(serve.lines.slice(mark, at).every((l) => l === `func1: ${value}`)).toBe(true);
    expect(serve.lines.slice(at, at + 3)).toEqual(["HPBeforeLoad called", "HPAfterLoad called", `New Func: ${value}`]);

    const info = await hotwasm(dir, ["info", "--json", ...client, ...mode.filter((m) => m === "--rpc")]);
    expect(JSON.parse(info.stdout)).toEqual([expect.objectContaining({
      hp_id: hpId,
      config: { hp_file: mode.includes("--upload") ? "" : "signed.wasm", replace_config: { NewFunc1: "main.func1" }, ref_config: { Global: "main.globalValue", Func2Ref: "main.func2" } },
    })]);
    const table = await hotwasm(dir, ["info", ...client]);
    expect(table.stdout).toContain(`${hpId}\n  file     ${mode.includes("--upload") ? "(uploaded)" : "signed.wasm"}`);
    expect(table.stdout).toContain("replaces NewFunc1 -> assembly/index/func1");

    const unload = await hotwasm(dir, ["unload", hpId, ...client, ...mode.filter((m) => m === "--rpc")]);
    expect([unload.code, unload.stdout]).toEqual([0, `unloaded ${hpId}\n`]);
    const back = serve.lines.length;
    await serve.waitFor((l) => l.startsWith("func1: "), back);
    value = Number(serve.lines.slice(back).find((l) => l.startsWith("func1: "))!.slice(7));
    await serve.waitFor((l) => l === `func1: ${value}`, serve.lines.length);
    expect((await hotwasm(dir, ["info", ...client])).stdout).toBe("no patches loaded\n");
  }
  expect(await serve.stop()).toBe(0);
  const audit = (await readFile(join(dir, "audit.log"), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
  expect(audit.filter((a) => a.action === "load").map((a) => [a.surface, a.status, a.hp_file, a.upload_bytes !== null, a.sha256 !== null])).toEqual([
    ["http", 200, "signed.wasm", false, true], ["rpc", 200, "signed.wasm", false, true], ["http", 200, null, true, true], ["rpc", 200, null, true, true],
  ]);
  expect(JSON.stringify(audit)).not.toContain("cli-test-token");
});

test("defaults: loopback without a token, hp_file relative to the working directory, --imports, --run", async () => {
  await writeFile(join(dir, "imports.mjs"), `export default (getHost) => ({ env: {
    println: (label, value) => console.log("[app] " + getHost().exports.__getString(label) + value),
    print: (message) => console.log("[app] " + getHost().exports.__getString(message)),
  } });\n`);
  const serve = await startServe(dir, ["app.wasm", "--port", "0", "--imports", "imports.mjs", "--run", "func2", "--tick", "func1", "--tick-ms", "40"]);
  expect(serve.lines.slice(0, 2)).toEqual(["[app] func2: 100", expect.stringMatching(/^hotwasm serve: loopback only, no token; patches from /)]);
  const mark = serve.lines.length;
  const load = await hotwasm(dir, ["load", "patches/hp.wasm", "--replace", "NewFunc1=main.func1", "--ref", "Global=main.globalValue", "--ref", "Func2Ref=main.func2", "--url", serve.url]);
  expect(load.code).toBe(0);
  await serve.waitFor((l) => l === "[app] func2: 115", mark);
  const curl = await fetch(`${serve.url}/hp/v1/info`);
  expect(((await curl.json()) as unknown[]).length).toBe(1);
  expect((await hotwasm(dir, ["unload", load.stdout.trim()], { HOTWASM_URL: serve.url })).code).toBe(0);
});

test("serve refuses unusable options with E_ADMIN_CONFIG or a usage error", async () => {
  await writeFile(join(dir, "no-imports.mjs"), "export default () => ({});\n");
  const cases: [string[], number, RegExp][] = [
    [["app.wasm", "--host", "0.0.0.0", "--port", "0"], 1, /^error E_ADMIN_CONFIG: listening on 0\.0\.0\.0 \(beyond loopback\) needs a token/],
    [["app.wasm", "--port", "0", "--patch-dir", "nope"], 1, /^error E_ADMIN_CONFIG: the patch directory .*\/nope is unusable/],
    [["app.wasm", "--port", "0", "--trusted-keys", "patches"], 1, /^error E_ADMIN_CONFIG: no ed25519 public key/],
    [["app.wasm", "--port", "0", "--tick", "nope"], 1, /^error E_ADMIN_CONFIG: the base exports no function "nope"/],
    [["patches/hp.wasm", "--port", "0"], 1, /^error E_NOT_PATCHABLE_BUILD: /],
    [["app.wasm", "--port", "0", "--imports", "no-imports.mjs"], 1, /^error E_ADMIN_CONFIG: cannot instantiate .*app\.wasm: .*println/],
    [["app.wasm", "--port", "0", "--imports", "missing.mjs"], 1, /^error E_ADMIN_CONFIG: cannot load the imports module missing\.mjs/],
    [["app.wasm", "--port", "http"], 2, /^error: --port must be a whole number/],
  ];
  for (const [args, code, message] of cases) {
    const r = await hotwasm(dir, ["serve", ...args]);
    expect([args, r.code]).toEqual([args, code]);
    expect(r.stderr).toMatch(message);
  }
  const short = await hotwasm(dir, ["serve", "app.wasm", "--port", "0"], { HOTWASM_TOKEN: "short" });
  expect(short.stderr).toMatch(/^error E_ADMIN_CONFIG: HOTWASM_TOKEN has 5 characters/);
});

test("--help of every admin command shows examples", async () => {
  for (const cmd of ["serve", "load", "unload", "info", "sign", "keygen"]) {
    const r = await hotwasm(dir, [cmd, "--help"]);
    expect([cmd, r.code, r.stdout]).toEqual([cmd, 0, expect.stringMatching(/Examples:\n  \$ hotwasm/)]);
  }
});
