// Engine credentials come from files or the environment, never from the command line or the URL;
// options that do not fit together are refused with E_FLEET_CONFIG before anything connects.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { connectEngine, readEngineOptions } from "../../../host/fleet/index.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotwasm-fleet-cred-"));
  await writeFile(join(dir, "token"), "s3cret-token\n");
  await writeFile(join(dir, "password"), "pa55\n");
  await writeFile(join(dir, "empty"), "\n");
  await writeFile(join(dir, "ca.pem"), "CA PEM");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const codeOf = (p: Promise<unknown>) => p.then(() => "none", (err: { code?: string }) => err.code);

test("a token or a user and password from files or the environment; TLS files read as PEM text", async () => {
  expect(await readEngineOptions({ tokenFile: "token" }, {}, dir)).toEqual({ servers: ["nats://127.0.0.1:4222"], token: "s3cret-token" });
  expect(await readEngineOptions({}, { HOTWASM_FLEET: "nats://a:1, nats://b:2", HOTWASM_FLEET_TOKEN: "t" }, dir)).toEqual({ servers: ["nats://a:1", "nats://b:2"], token: "t" });
  expect(await readEngineOptions({ user: "ops", passwordFile: "password" }, {}, dir)).toMatchObject({ user: "ops", pass: "pa55" });
  expect(await readEngineOptions({}, { HOTWASM_FLEET_USER: "ops", HOTWASM_FLEET_PASSWORD: "pw" }, dir)).toMatchObject({ user: "ops", pass: "pw" });
  expect(await readEngineOptions({ servers: "tls://n1:4222", tlsCa: "ca.pem" }, {}, dir)).toEqual({ servers: ["tls://n1:4222"], tls: { ca: "CA PEM" } });
});

test("refused: a missing or empty file, a password without a user or the other way round, a token with a user, half a client certificate, credentials in the URL", async () => {
  expect(await codeOf(readEngineOptions({ tokenFile: "nope" }, {}, dir))).toBe("E_FLEET_CONFIG");
  expect(await codeOf(readEngineOptions({ tokenFile: "empty" }, {}, dir))).toBe("E_FLEET_CONFIG");
  expect(await codeOf(readEngineOptions({}, { HOTWASM_FLEET_PASSWORD: "pw" }, dir))).toBe("E_FLEET_CONFIG");
  expect(await codeOf(readEngineOptions({ user: "ops" }, {}, dir))).toBe("E_FLEET_CONFIG");
  expect(await codeOf(readEngineOptions({ user: "ops", tokenFile: "token" }, { HOTWASM_FLEET_PASSWORD: "pw" }, dir))).toBe("E_FLEET_CONFIG");
  expect(await codeOf(readEngineOptions({ tlsCert: "ca.pem" }, {}, dir))).toBe("E_FLEET_CONFIG");
  expect(await codeOf(readEngineOptions({ servers: "nats://ops:pw@127.0.0.1:4222" }, {}, dir))).toBe("E_FLEET_CONFIG");
  expect(await codeOf(connectEngine({ servers: ["nats://ops:pw@127.0.0.1:4222"] }))).toBe("E_FLEET_CONFIG");
  expect(await codeOf(connectEngine({ servers: ["http://127.0.0.1:4222"] }))).toBe("E_FLEET_CONFIG");
});
