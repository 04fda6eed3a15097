// The main thread's handle on one pool worker: starts it, sends it calls, and sends it swap
// commands (port message + mailbox counter + wake-up) with a bounded wait for each reply. A
// worker that exits fails everything pending on it with an error that names it.

import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { HotwasmError } from "../errors.js";
import { fromWire, mailboxOf, type Command, type FromWorker, type Reply, type ToWorker, type WorkerInit } from "./protocol.js";

type Waiter<T> = { resolve: (value: T) => void; reject: (err: HotwasmError) => void; taken?: () => void };

/** One worker of a pool. */
export class WorkerLink {
  /** Why the worker can no longer be used, once it cannot. */
  failure: HotwasmError | null = null;
  /** Set when a swap command went unanswered in time: the worker is stuck (the pool replaces it). */
  stalled: HotwasmError | null = null;
  private readonly ctl: Int32Array;
  private readonly commands: MessagePort;
  private readonly calls = new Map<number, Waiter<unknown>>();
  private readonly replies = new Map<string, Waiter<Reply>>();
  private readonly started: Promise<void>;
  private nextCall = 1;
  /** Told of each failure the worker attributes to a patch with a policy. */
  onTrap: ((worker: number, hpId: string, message: string) => void) | null = null;

  private constructor(readonly index: number, private readonly worker: Worker, init: Omit<WorkerInit, "commands">, commands: MessagePort) {
    this.ctl = new Int32Array(init.control);
    this.commands = commands;
    this.started = new Promise<void>((resolve, reject) => {
      worker.on("message", (msg: FromWorker) => {
        if (msg.type === "ready") resolve();
        else if (msg.type === "init-failed") reject(fromWire(index, msg.error, "E_WORKER_FAILED"));
        else this.receive(msg);
      });
      worker.on("error", (err) => this.fail(new HotwasmError("E_WORKER_FAILED", `worker ${index} crashed: ${err.message}`, { cause: err, details: { worker: index } })));
      worker.on("exit", (code) => {
        const err = this.fail(new HotwasmError("E_WORKER_FAILED", `worker ${index} exited (code ${code})`, { details: { worker: index } }));
        reject(err);
      });
    });
    this.started.catch(() => undefined);
  }

  /** Starts worker `init.index` from the worker script at `script`. */
  static start(script: URL, init: Omit<WorkerInit, "commands">): WorkerLink {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(script, { workerData: { ...init, commands: port2 }, transferList: [port2] });
    return new WorkerLink(init.index, worker, init, port1);
  }

  /** Resolves once the worker has instantiated the base; bounded by `timeoutMs`. */
  ready(timeoutMs: number): Promise<void> {
    return withTimeout(this.started, timeoutMs, () => new HotwasmError("E_WORKER_FAILED", `worker ${this.index} did not start within ${timeoutMs} ms`, { details: { worker: this.index } }));
  }

  /** Calls an export on this worker. */
  call(name: string, args: unknown[]): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextCall++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.worker.postMessage({ type: "call", id, name, args } satisfies ToWorker);
    });
  }

  /** Calls running or queued on this worker. */
  get inFlight(): number {
    return this.calls.size;
  }

  /** Sends a swap command; resolves to the reply, or rejects with E_SAFEPOINT_TIMEOUT when the worker
   * does not take it within `timeoutMs`, or (a command running patch code) does not answer within
   * `codeMs` more once it took it. A worker that times out is marked `stalled`. */
  send(cmd: Command, timeoutMs: number, codeMs = 0): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    // A worker that left a command unanswered answers no other: no second wait on it.
    if (this.stalled) return Promise.reject(this.stalled);
    const key = `${cmd.token}:${cmd.op}`;
    const reply = new Promise<Reply>((resolve, reject) => {
      const expire = (message: string) => {
        this.replies.delete(key);
        this.stalled = new HotwasmError("E_SAFEPOINT_TIMEOUT", message, { details: { worker: this.index } });
        reject(this.stalled);
      };
      let timer = setTimeout(() => expire(`worker ${this.index} did not reach a safe point within ${timeoutMs} ms`), timeoutMs);
      const settle = () => clearTimeout(timer);
      this.replies.set(key, {
        resolve: (value) => { settle(); resolve(value); },
        reject: (err) => { settle(); reject(err); },
        taken: () => {
          settle();
          timer = setTimeout(() => expire(`worker ${this.index} took the command but did not answer within ${codeMs + timeoutMs} ms (patch code that does not return)`), codeMs + timeoutMs);
        },
      });
    });
    this.post(cmd);
    return reply;
  }

  /** Sends a command without waiting for its reply (clean-up after a failed operation). */
  post(cmd: Command): void {
    if (this.failure) return;
    this.commands.postMessage(cmd);
    // Invariant: the command is readable on the port before the counter says it is there.
    Atomics.add(this.ctl, mailboxOf(this.index), 1);
    Atomics.notify(this.ctl, mailboxOf(this.index));
    this.worker.postMessage({ type: "wake" } satisfies ToWorker);
  }

  /** Stops the worker; everything pending on it fails with `reason`. */
  async terminate(reason: HotwasmError): Promise<void> {
    this.fail(reason);
    this.commands.close();
    await this.worker.terminate();
  }

  private receive(msg: FromWorker): void {
    if (msg.type === "result" || msg.type === "call-failed") {
      const waiter = this.calls.get(msg.id);
      this.calls.delete(msg.id);
      if (msg.type === "result") waiter?.resolve(msg.value);
      else waiter?.reject(fromWire(this.index, msg.error, "E_CALL_FAILED"));
    } else if (msg.type === "trap") {
      this.onTrap?.(this.index, msg.hp_id, msg.message);
    } else if (msg.type === "taken") {
      this.replies.get(`${msg.token}:${msg.op}`)?.taken?.();
    } else if (msg.type === "reply") {
      const key = `${msg.reply.token}:${msg.reply.op}`;
      this.replies.get(key)?.resolve(msg.reply);
      this.replies.delete(key);
    }
  }

  private fail(err: HotwasmError): HotwasmError {
    this.failure ??= err;
    for (const w of [...this.calls.values(), ...this.replies.values()]) w.reject(this.failure);
    this.calls.clear();
    this.replies.clear();
    return this.failure;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => HotwasmError): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(onTimeout()), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
