// A client of a dev server (`hotwasm dev`), the same for pages and Node hosts (`serve --dev`):
// follows the server's events and keeps exactly one dev patch in force in its host. A new dev
// patch is loaded on top of the old one before the old one is unloaded, so every call runs
// either the old or the new code, never the base in between.

import { DEV_PATHS, decodeBase64, type DevAck, type DevEvent, type DevPatch } from "./dev-protocol.js";
import type { DevStatus } from "./dev-status.js";
import { describeError, isHotwasmError } from "../errors.js";
import { readEventStream } from "./event-stream.js";
import type { AdminTarget } from "../admin/admin-target.js";

/** What a dev client patches: a Host or a HostPool. */
export type DevTarget = Pick<AdminTarget, "loadHP" | "unloadHP" | "manifest">;

/** How to follow a dev server. */
export interface DevClientOptions {
  /** The dev server's URL (a page passes location.origin). */
  url: string;
  /** How the server's log names this client. */
  name?: string;
  /** Told about every change (connected, applied, problem, ...). */
  onStatus?: (status: DevStatus) => void;
  /** Wait before reconnecting (default 1000 ms). */
  retryMs?: number;
}

/** A running subscription. */
export interface DevClient {
  /** The dev patch in force, if any. */
  readonly patchId: string | null;
  /** The last dev patch handled. */
  readonly seq: number;
  /** Resolves once the server's first greeting has been handled. */
  readonly ready: Promise<void>;
  close(): void;
}

/** Subscribes `host` to the dev server at `options.url`. */
export function connectDevServer(host: DevTarget, options: DevClientOptions): DevClient {
  const url = options.url.replace(/\/+$/, "");
  const name = options.name ?? "client";
  const retryMs = options.retryMs ?? 1000;
  const abort = new AbortController();
  const state = { patchId: null as string | null, seq: 0 };
  let queue: Promise<void> = Promise.resolve();
  let greeted!: () => void;
  const ready = new Promise<void>((resolve) => (greeted = resolve));
  const status = (s: DevStatus) => {
    try {
      options.onStatus?.(s);
    } catch {
      // The owner's display must not stop the client.
    }
  };
  const ack = (body: Omit<DevAck, "client">) => {
    const init = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client: name, ...body }) };
    fetch(`${url}${DEV_PATHS.ack}`, init).then((r) => r.body?.cancel(), () => undefined);
  };

  const apply = async (patch: DevPatch) => {
    if (patch.seq <= state.seq) return;
    if (patch.base !== host.manifest.buildId) return status({ type: "reload", base: patch.base, reason: "the dev server runs another base build" });
    const started = performance.now();
    try {
      const next = patch.hp_bytes === null ? null : await loadDevPatch(host, decodeBase64(patch.hp_bytes), state.patchId);
      const previous = state.patchId;
      state.patchId = next;
      state.seq = patch.seq;
      if (previous !== null && previous !== next) await unloadQuietly(host, previous);
      const apply_ms = performance.now() - started;
      status({ type: "applied", patch, hp_id: next, apply_ms });
      ack({ seq: patch.seq, ok: true, hp_id: next, apply_ms });
    } catch (err) {
      state.seq = patch.seq;
      const code = isHotwasmError(err) ? err.code : "E_INTERNAL";
      status({ type: "failed", seq: patch.seq, code, message: describeError(err) });
      ack({ seq: patch.seq, ok: false, hp_id: state.patchId, apply_ms: performance.now() - started, code, message: describeError(err) });
    }
  };

  const handle = async (event: DevEvent) => {
    if (event.type === "hello") {
      if (event.base !== host.manifest.buildId) {
        status({ type: "reload", base: event.base, reason: `this host runs build ${host.manifest.buildId.slice(0, 12)}, the dev server ${event.base.slice(0, 12)}${event.baseFile ? ` (${event.baseFile})` : ""}` });
      } else {
        status({ type: "connected", base: event.base });
        if (event.patch) await apply(event.patch);
        if (event.problem && event.problem.seq > state.seq) status({ type: "problem", problem: event.problem });
      }
      greeted();
    } else if (event.type === "building") status({ type: "building", seq: event.seq, files: event.files });
    else if (event.type === "patch") await apply(event.patch);
    else if (event.type === "problem") status({ type: "problem", problem: event.problem });
    else if (event.type === "reload") status({ type: "reload", base: event.base, reason: "the dev server rebuilt the base" });
  };

  const run = async () => {
    while (!abort.signal.aborted) {
      try {
        const res = await fetch(`${url}${DEV_PATHS.events}?client=${encodeURIComponent(name)}`, { signal: abort.signal, headers: { accept: "text/event-stream" } });
        if (!res.ok || !res.body) throw new Error(`the dev server answered HTTP ${res.status}`);
        await readEventStream(res.body, (e) => {
          const event = JSON.parse(e.data) as DevEvent;
          queue = queue.then(() => handle(event));
        });
        throw new Error("the dev server closed the connection");
      } catch (err) {
        if (abort.signal.aborted) return;
        const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
        status({ type: "disconnected", code: "E_DEV_UNREACHABLE", message: `${url}: ${describeError(err)}${cause}`, retry_ms: retryMs });
        await sleep(retryMs, abort.signal);
      }
    }
  };
  void run();

  return {
    get patchId() { return state.patchId; },
    get seq() { return state.seq; },
    ready,
    close: () => abort.abort(),
  };
}

/** Loads a dev patch; the same bytes as the one in force are that one. */
async function loadDevPatch(host: DevTarget, bytes: Uint8Array, current: string | null): Promise<string> {
  try {
    return await host.loadHP({ hp_bytes: bytes });
  } catch (err) {
    if (isHotwasmError(err) && err.code === "E_ALREADY_LOADED" && err.details.hp_id === current && current !== null) return current;
    throw err;
  }
}

/** Unloads the previous dev patch; one unloaded by hand meanwhile is fine. */
async function unloadQuietly(host: DevTarget, id: string): Promise<void> {
  try {
    await host.unloadHP(id);
  } catch (err) {
    if (!(isHotwasmError(err) && err.code === "E_UNKNOWN_PATCH")) throw err;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}
