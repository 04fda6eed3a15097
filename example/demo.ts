// `npm run demo`: a scripted tour of live patching on the example, through the HTTP API:
// original output, load, patched output, info, unload, original output again; then a patch that
// allocates, built by `hotwasm patch`.

import { startService } from "./service.js";

const lines: string[] = [];
const say = (text: string) => console.log(`\n== ${text}`);
const service = await startService({ port: 0, intervalMs: 200, out: (line) => { lines.push(line); console.log(`   app | ${line}`); } });

async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${service.url}${path}`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  const json = (await res.json()) as Record<string, unknown>;
  console.log(`   POST ${path} -> ${res.status} ${JSON.stringify(json)}`);
  if (!res.ok) throw new Error(`${path} failed: ${String(json.error)}`);
  return json;
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

try {
  say(`the service runs func1 every 200 ms, API at ${service.url}`);
  await pause(650);
  say("load build/hp.wasm: NewFunc1 replaces main.func1, refs Global and Func2Ref");
  const { hp_id } = await post("/hp/v1/load", {
    hp_file: "./build/hp.wasm",
    replace_config: { NewFunc1: "main.func1" },
    ref_config: { Global: "main.globalValue", Func2Ref: "main.func2" },
  });
  await pause(650);
  say("GET /hp/v1/info");
  console.log(`   ${JSON.stringify(await (await fetch(`${service.url}/hp/v1/info`)).json())}`);
  say("unload it");
  await post("/hp/v1/unload", { hp_id });
  const mark = lines.length;
  await pause(650);
  const back = lines.slice(mark).every((l) => l.startsWith("func1: "));
  say(back ? "func1 runs the original code again, with the state the patch left (globalValue kept)" : "unexpected output after unload");

  const x = service.host.exports;
  const status = () => x.__getString(x.status()) as string;
  say(`status() says: ${status()}`);
  say("load build/status.wasm (built by hotwasm patch: it allocates strings and keeps a history array)");
  const loaded = await post("/hp/v1/load", { hp_file: "./build/status.wasm" });
  for (let i = 0; i < 3; i++) console.log(`   status() -> ${status()}`);
  x.__collect();
  const patched = status();
  console.log(`   after a forced collection: ${patched}`);
  await post("/hp/v1/unload", { hp_id: loaded.hp_id });
  const restored = status();
  say(`unloaded: status() says ${restored}`);
  process.exitCode = back && patched.includes("asked 4 times") && restored.startsWith("globalValue=") ? 0 : 1;
} finally {
  await service.close();
}
