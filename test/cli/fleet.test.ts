// `hotwasm fleet` and `serve --fleet` as a user runs them, against a real nats-server with a
// token: push, rollout, status (table and JSON), promote, rollback; the served host's debug page
// shows its fleet status; secrets never on a command line; refusals with their codes and exit
// codes; a user and password over TLS.

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import selfsigned from "selfsigned";
import { afterEach, describe, expect, test } from "vitest";
import { readFleetStatus, type FleetStatus } from "../../host/fleet/index.js";
import { baseBinary } from "../helpers/base.js";
import { hotwasm } from "../helpers/cli-process.js";
import { openEngine, skipFleet, startHost, stopFleet, versionPatch, waitUntil } from "../helpers/fleet.js";
import { startFleetProcess, stopFleetProcesses } from "../helpers/fleet-process.js";
import { startNatsServer, type NatsEngine } from "../../bench/nats-launcher.js";

const TOKEN = "fleet-token-0123456789abcdef";
let dir = "";
let nats: NatsEngine | null = null;
afterEach(async () => {
  await stopFleetProcesses();
  await stopFleet();
  await nats?.stop();
  nats = null;
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function workspace(): Promise<void> {
  dir = await mkdtemp(join(tmpdir(), "hotwasm-fleet-cli-"));
  await writeFile(join(dir, "app.wasm"), await baseBinary());
  await writeFile(join(dir, "imports.mjs"), "export default () => ({ env: { log() {}, callback() {} } });\n");
  await writeFile(join(dir, "fix.wasm"), versionPatch(2));
  await writeFile(join(dir, "token"), `${TOKEN}\n`);
}

describe.skipIf(skipFleet)("hotwasm fleet", () => {
  test("push, rollout, status, promote and rollback from the CLI; serve --fleet joins; its debug page shows the fleet; the token is in no process listing", async () => {
    await workspace();
    nats = await startNatsServer(["--auth", TOKEN]);
    const url = nats.urls[0]!;
    const engine = ["--fleet", url, "--fleet-token-file", "token"];
    const fleet = (...args: string[]) => hotwasm(dir, ["fleet", ...args, ...engine]);
    const controller = await startFleetProcess(dir, ["fleet", "controller", ...engine, "--tick", "250ms"], /running as/);
    const served = await startFleetProcess(dir, ["serve", "app.wasm", "--port", "0", "--rpc", "--imports", "imports.mjs", ...engine, "--fleet-name", "web-1", "--fleet-poll", "500ms"], /listening on/);
    const serveUrl = /listening on (\S+)/.exec(served.lines.find((l) => l.includes("listening on"))!)![1]!;
    await served.waitForLine(/^hotwasm serve: fleet: joined /);
    await Promise.all(["web-2", "web-3"].map((id) => startHost([url], id, { engine: { servers: [url], token: TOKEN }, pollMs: 500 })));
    for (const pid of [controller.pid, served.pid]) expect(await readFile(`/proc/${pid}/cmdline`, "utf8")).not.toContain(TOKEN);

    const push = await fleet("push", "fix.wasm");
    expect([push.code, push.stdout.trim()]).toEqual([0, expect.stringMatching(/^[0-9a-f]{64}$/)]);
    const sha = push.stdout.trim();
    const rollout = await fleet("rollout", "fix.wasm", "--replace", "version=version", "--canary", "34%", "--hold", "manual", "--id", "cli-test");
    expect([rollout.code, rollout.stdout.trim()]).toEqual([0, "cli-test"]);
    const own = await openEngine([url], TOKEN);
    const status = () => readFleetStatus(own);
    await waitUntil(async () => {
      const b = (await status()).builds[0];
      return b?.rollout?.phase === "canary" && b.hosts.filter((h) => h.converged).length === 3;
    }, "the canary");
    const json = JSON.parse((await fleet("status", "--json")).stdout) as FleetStatus;
    expect(json.builds[0]!.hosts.map((h) => [h.host_id, h.live, h.converged, h.result])).toEqual([["web-1", true, true, "ack"], ["web-2", true, true, "ack"], ["web-3", true, true, "ack"]]);
    const table = await fleet("status");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^build [0-9a-f]{32}: rollout cli-test canary, step 1 of 2 \(34 %\), generation 2; 2 admitted, 3 of 3 live hosts converged$/m);
    expect(table.stdout).toMatch(/^ {2}HOST +BUILD +PRESENCE +ADMITTED +PATCHES IN FORCE +LAST RESULT +GEN +SEEN$/m);
    for (const id of ["web-1", "web-2", "web-3"]) expect(table.stdout).toMatch(new RegExp(`^  ${id} +[0-9a-f]{12} +live +(yes +${sha.slice(0, 12)}|no +none) +ack +2 +\\d+s ago$`, "m"));

    expect((await fleet("promote")).stdout.trim()).toBe("promoted rollout cli-test past step 1");
    await waitUntil(async () => (await status()).builds[0]!.rollout?.phase === "waves", "the last step");
    expect((await fleet("promote")).stdout.trim()).toBe("promoted rollout cli-test past step 2"); // a manual hold holds every step
    await waitUntil(async () => {
      const b = (await status()).builds[0]!;
      return b.rollout?.phase === "done" && b.hosts.every((h) => h.converged);
    }, "the rollout to be done");
    const debug = await (await fetch(`${serveUrl}/hpdebug?format=json`)).json() as { sections: { fleet: { rows: string[][] } } };
    expect(debug.sections.fleet.rows).toContainEqual(["rollout", "cli-test: done, generation 4"]);
    expect(debug.sections.fleet.rows).toContainEqual(["in force", sha.slice(0, 12)]);
    expect(await (await fetch(`${serveUrl}/hpdebug`)).text()).toContain("<h2>Fleet</h2>");

    expect((await fleet("rollback", "--reason", "a test")).stdout.trim()).toBe("rolling back rollout cli-test");
    await waitUntil(async () => (await status()).builds[0]!.rollout?.phase === "rolled_back", "the rollback");
    await waitUntil(async () => (await (await fetch(`${serveUrl}/hp/v1/info`)).json() as unknown[]).length === 0, "the served host to unload");
    const again = await fleet("rollback");
    expect([again.code, again.stderr.trim()]).toEqual([1, "error E_FLEET_NO_ROLLOUT: rollout cli-test of build " + (await status()).builds[0]!.build_id + " is rolled_back already"]);
  });

  test("refusals: the engine out of reach or refusing the token (exit 1), a bad duration or credentials in the URL (exit 2), a second rollout while one is under way", async () => {
    await workspace();
    nats = await startNatsServer(["--auth", TOKEN]);
    const url = nats.urls[0]!;
    const closed = await closedPort();
    const down = await hotwasm(dir, ["fleet", "status", "--fleet", `nats://127.0.0.1:${closed}`]);
    expect([down.code, down.stderr]).toEqual([1, expect.stringContaining(`error E_FLEET_UNREACHABLE: cannot connect to the fleet engine at nats://127.0.0.1:${closed}`)]);
    const noToken = await hotwasm(dir, ["fleet", "status", "--fleet", url]);
    expect([noToken.code, noToken.stderr]).toEqual([1, expect.stringMatching(/^error E_FLEET_UNREACHABLE: .*[Aa]uthorization/)]);
    const env = { HOTWASM_FLEET: url, HOTWASM_FLEET_TOKEN: TOKEN };
    expect((await hotwasm(dir, ["fleet", "status"], env)).stdout.trim()).toBe("no build has joined the fleet yet");
    const inUrl = await hotwasm(dir, ["fleet", "status", "--fleet", url.replace("nats://", "nats://ops:pw@")]);
    expect([inUrl.code, inUrl.stderr]).toEqual([2, expect.stringContaining("credentials do not go in the engine URL")]);
    const build = "0123456789abcdef0123456789abcdef";
    const badHold = await hotwasm(dir, ["fleet", "rollout", "fix.wasm", "--build", build, "--hold", "soon"], env);
    expect([badHold.code, badHold.stderr.trim()]).toEqual([2, `error: "soon" is not a duration (e.g. 500ms, 60s, 2m, 1h)`]);
    expect((await hotwasm(dir, ["fleet", "push", "fix.wasm"], env)).code).toBe(0);
    expect((await hotwasm(dir, ["fleet", "rollout", "fix.wasm", "--build", build, "--id", "one"], env)).code).toBe(0);
    const second = await hotwasm(dir, ["fleet", "rollout", "fix.wasm", "--build", build, "--id", "two"], env);
    expect([second.code, second.stderr.trim()]).toEqual([1, `error E_FLEET_CONFLICT: rollout one of build ${build} waits for the controller to start it`]);
  });

  test("a user and password over TLS: reached with the CA given, refused without it", async () => {
    await workspace();
    const pems = await selfsigned.generate([{ name: "commonName", value: "127.0.0.1" }], {
      notAfterDate: new Date(Date.now() + 24 * 3600 * 1000), keyType: "ec",
      extensions: [{ name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] }],
    });
    await writeFile(join(dir, "cert.pem"), pems.cert);
    await writeFile(join(dir, "key.pem"), pems.private);
    await writeFile(join(dir, "password"), "pa55word\n");
    nats = await startNatsServer(["--user", "ops", "--pass", "pa55word", "--tls", "--tlscert", join(dir, "cert.pem"), "--tlskey", join(dir, "key.pem")]);
    const args = ["fleet", "status", "--fleet", nats.urls[0]!, "--fleet-user", "ops"];
    const ok = await hotwasm(dir, [...args, "--fleet-tls-ca", "cert.pem"], { HOTWASM_FLEET_PASSWORD: "pa55word" });
    expect([ok.code, ok.stdout.trim()]).toEqual([0, "no build has joined the fleet yet"]);
    expect((await hotwasm(dir, [...args, "--fleet-tls-ca", "cert.pem", "--fleet-password-file", "password"])).code).toBe(0);
    const untrusted = await hotwasm(dir, args, { HOTWASM_FLEET_PASSWORD: "pa55word" });
    expect([untrusted.code, untrusted.stderr]).toEqual([1, expect.stringMatching(/^error E_FLEET_UNREACHABLE: /)]);
  });
});
