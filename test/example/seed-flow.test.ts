// The hotgo README's quick start against the real `npm start` service process on port 0:
// load with curl's request, see the behaviour change, info, unload, see it return.

import { afterEach, beforeAll, expect, test } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildExample } from "../../example/build.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
let child: ChildProcess | null = null;

beforeAll(async () => {
  if (!existsSync(join(root, "build/hp.wasm")) || !existsSync(join(root, "dist/example/service.js"))) await buildExample(root);
});

afterEach(() => {
  child?.kill("SIGTERM");
  child = null;
});

/** Starts the service like `npm start` does; resolves with its URL and a growing list of its lines. */
async function startService() {
  const proc = spawn(process.execPath, ["dist/example/service.js"], { cwd: root, env: { ...process.env, PORT: "0", TICK_MS: "40" } });
  child = proc;
  const lines: string[] = [];
  let buffer = "";
  const url = await new Promise<string>((resolve, reject) => {
    proc.on("exit", (code) => reject(new Error(`service exited with ${code}: ${lines.join("\n")}`)));
    proc.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      lines.push(...parts);
      const m = /listens on (http:\/\/127\.0\.0\.1:\d+)/.exec(parts.join("\n"));
      if (m) resolve(m[1]!);
    });
  });
  return { url, lines };
}

const curl = (url: string, body?: string) =>
  fetch(url, body === undefined ? {} : { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } });

async function until(lines: string[], pred: (l: string) => boolean, from = 0) {
  for (let i = 0; i < 200; i++) {
    if (lines.slice(from).some(pred)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no matching line in:\n${lines.slice(from).join("\n")}`);
}

test("the seed's curl flow: load, info, unload", async () => {
  const { url, lines } = await startService();
  await until(lines, (l) => l === "func1: 100");
  expect(lines[0]).toBe("func2: 100");

  const loadBody = `{
    "hp_file": "./build/hp.wasm",
    "replace_config": {
        "NewFunc1":"main.func1"
    },
    "ref_config": {
        "Global": "main.globalValue",
        "Func2Ref": "main.func2"
    }
}`;
  const mark = lines.length;
  const load = await curl(`${url}/hp/v1/load`, loadBody);
  expect(load.status).toBe(200);
  const { hp_id, error } = (await load.json()) as { hp_id: string; error: string };
  expect(error).toBe("");
  expect(hp_id).toMatch(/^[0-9a-f]{64}$/);
  await until(lines, (l) => l === "func2: 130", mark);
  // A tick may still print "func1: 100" before the load lands: look from the load on.
  const after = lines.slice(lines.indexOf("HPBeforeLoad called", mark));
  expect(after.slice(0, 2)).toEqual(["HPBeforeLoad called", "HPAfterLoad called"]);
  expect(after).toContain("New Func: 100");
  expect(after).toContain("func2: 115");
  // Once the load has committed, func1 no longer runs its own code.
  expect(after.slice(after.indexOf("HPAfterLoad called")).filter((l) => l.startsWith("func1: "))).toEqual([]);

  const info = await (await curl(`${url}/hp/v1/info`)).json();
  expect(info).toEqual([expect.objectContaining({
    hp_id,
    config: { hp_file: "./build/hp.wasm", replace_config: { NewFunc1: "main.func1" }, ref_config: { Global: "main.globalValue", Func2Ref: "main.func2" } },
  })]);

  const unload = await curl(`${url}/hp/v1/unload`, `{"hp_id": "${hp_id}"}`);
  expect(unload.status).toBe(200);
  expect(await unload.json()).toEqual({ error: "" });
  await until(lines, (l) => l === "HPAfterUnload called", mark);
  const mark2 = lines.indexOf("HPAfterUnload called", mark);
  await until(lines, (l) => l.startsWith("func1: "), mark2);
  const back = lines.slice(mark2).filter((l) => !l.startsWith("HP"));
  expect(back.every((l) => /^func1: \d+$/.test(l))).toBe(true);
  expect(await (await curl(`${url}/hp/v1/info`)).json()).toEqual([]);
});

test("refusals come back in hotgo's shape with a code, and change nothing", async () => {
  const { url, lines } = await startService();
  const cases: [string, string, number, string][] = [
    ["/hp/v1/load", "{not json", 400, "E_BAD_REQUEST"],
    ["/hp/v1/load", `{"hp_file": "./build/nope.wasm"}`, 404, "E_PATCH_READ_FAILED"],
    ["/hp/v1/load", `{"hp_file": "./build/hp.wasm", "replace_config": {"NewFunc1": "main.func2x"}}`, 422, "E_UNKNOWN_SYMBOL"],
    ["/hp/v1/load", `{"hp_file": "./build/hp.wasm", "replace_config": {"NewFunc1": "main.getGlobalValue"}}`, 422, "E_SIGNATURE_MISMATCH"],
    ["/hp/v1/unload", `{"hp_id": "nope"}`, 404, "E_UNKNOWN_PATCH"],
    ["/hp/v1/unload", `[]`, 400, "E_BAD_REQUEST"],
  ];
  for (const [path, body, status, code] of cases) {
    const res = await curl(`${url}${path}`, body);
    const json = (await res.json()) as { error: string; code: string; hp_id?: string };
    expect([path, body, res.status, json.code]).toEqual([path, body, status, code]);
    expect(json.error.startsWith(`${code}: `)).toBe(true);
    if (path === "/hp/v1/load") expect(json.hp_id).toBe("");
  }
  expect((await curl(`${url}/hp/v1/info`, "{}")).status).toBe(405);
  expect((await curl(`${url}/nope`)).status).toBe(404);
  const big = await curl(`${url}/hp/v1/load`, JSON.stringify({ hp_file: "x".repeat(2 * 1024 * 1024) }));
  expect([big.status, ((await big.json()) as { code: string }).code]).toEqual([413, "E_BODY_TOO_LARGE"]);
  expect(await (await curl(`${url}/hp/v1/info`)).json()).toEqual([]);
  const mark = lines.length;
  await until(lines, (l) => l.startsWith("func1: "), mark);
  expect(lines.slice(mark).every((l) => l.startsWith("func1: "))).toBe(true);
});
