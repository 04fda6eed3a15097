// Entry script of a HostPool worker thread (run from its compiled form, dist/host/pool/pool-worker.js):
// makes the base's imports from the pool's imports module, instantiates the shared base module
// with the safepoint poll, then runs calls from its port and swap commands at safe points.

import { parentPort, workerData } from "node:worker_threads";
import { describeError, HotwasmError } from "../errors.js";
import { Host } from "../core/host.js";
import { toWire, type FromWorker, type ToWorker, type WorkerInit } from "./protocol.js";
import { WorkerControl } from "./worker-control.js";
import { createPatchWatchdog } from "./patch-watchdog.js";

const init = workerData as WorkerInit;
const port = parentPort!;
const send = (msg: FromWorker) => port.postMessage(msg);

try {
  const control = new WorkerControl(init, send);
  let instantiated: Host | undefined;
  const imports = await makeImports(init, () => instantiated);
  const hotwasm = { ...(imports.hotwasm as Record<string, WebAssembly.ImportValue> | undefined), poll: control.poll };
  // Failures under a patch with a policy are the pool's to count: it rolls the patch back in every worker.
  const onPatchTrap = (hpId: string, error: unknown) => send({ type: "trap", hp_id: hpId, message: describeError(error) });
  // Hooks run under a watchdog: one that does not return is interrupted (E_PATCH_TIMEOUT) and the worker lives on.
  const host = await Host.instantiate(init.module, { ...imports, hotwasm }, { onPatchTrap, runPatchCode: createPatchWatchdog(init.patchTimeoutMs) });
  instantiated = host;
  control.attach(host);
  port.on("message", (msg: ToWorker) => (msg.type === "wake" ? control.drain() : runCall(host, msg)));
  send({ type: "ready" });
} catch (err) {
  send({ type: "init-failed", error: toWire(err) });
}

/** The pool's imports module: its default export is an imports object or a function making one (ctx.getHost gives this worker's Host once it exists). */
async function makeImports(init: WorkerInit, getHost: () => Host | undefined): Promise<WebAssembly.Imports> {
  if (!init.importsUrl) return {};
  const mod = (await import(init.importsUrl)) as { default?: unknown; imports?: unknown };
  const value = mod.default ?? mod.imports;
  const made = typeof value === "function" ? await value({ index: init.index, workers: init.workers, data: init.importsData, getHost }) : value;
  if (typeof made !== "object" || made === null) {
    throw new HotwasmError("E_WORKER_FAILED", `the imports module ${init.importsUrl} must export an imports object, or a function returning one, as default`);
  }
  return made as WebAssembly.Imports;
}

function runCall(host: Host, msg: Extract<ToWorker, { type: "call" }>): void {
  const fn = Object.prototype.hasOwnProperty.call(host.exports, msg.name) ? (host.exports[msg.name] as unknown) : undefined;
  if (typeof fn !== "function") {
    send({ type: "call-failed", id: msg.id, error: { code: "E_CALL_FAILED", message: `the base exports no function "${msg.name}"` } });
    return;
  }
  let value: unknown;
  try {
    value = (fn as (...args: unknown[]) => unknown)(...msg.args);
  } catch (err) {
    const wire = toWire(err);
    send({ type: "call-failed", id: msg.id, error: { ...wire, code: wire.code ?? "E_CALL_FAILED", message: `${msg.name}: ${wire.message}` } });
    return;
  }
  try {
    send({ type: "result", id: msg.id, value });
  } catch (err) {
    send({ type: "call-failed", id: msg.id, error: { code: "E_CALL_FAILED", message: `${msg.name} returned a value that cannot leave the worker: ${describeError(err)}` } });
  }
}
