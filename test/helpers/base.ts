// Test helper: the host-test base program, built once per test file, and a Host over it.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Host } from "../../host/core/host.js";
import type { HostEvent } from "../../host/model/events.js";
import { buildApp } from "./build.js";

const source = readFileSync(fileURLToPath(new URL("../fixtures/base-app.ts", import.meta.url)), "utf8");

/** The base build's bytes. */
export function baseBinary(): Promise<Uint8Array> {
  return buildApp({ "assembly/index.ts": source });
}

/** A fresh Host over the base, with what it logged and emitted. */
export async function makeHost(callback: (host: Host) => void = () => {}) {
  const logs: number[] = [];
  const events: HostEvent[] = [];
  let host!: Host;
  host = await Host.instantiate(await baseBinary(), {
    env: { log: (v: number) => logs.push(v), callback: () => callback(host) },
  });
  host.on((e) => events.push(e));
  return { host, logs, events, x: host.exports };
}
