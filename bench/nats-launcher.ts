// Throwaway NATS JetStream servers for the fleet tests and benchmark: Debian's nats-server, one
// node or a three-node cluster on loopback, each in a temporary directory, on random ports.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** A running nats-server node. */
export interface NatsNode {
  /** Its server name (n0, n1, ...). */
  name: string;
  /** Its client URL (nats://127.0.0.1:PORT). */
  url: string;
  /** Its client port (kept across restarts). */
  port: number;
  running: boolean;
  /** SIGKILL; resolves once it is gone. */
  kill(): Promise<void>;
  /** Starts it again with the same store, name and ports. */
  restart(): Promise<void>;
}

/** One node or a cluster, with its temporary directory. */
export interface NatsEngine {
  nodes: NatsNode[];
  /** Every node's client URL. */
  urls: string[];
  dir: string;
  /** Kills every node and removes the directory. */
  stop(): Promise<void>;
}

/** The nats-server executable, or null when it is not installed. */
export function findNatsServer(): string | null {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin", "/usr/bin"];
  for (const dir of dirs) if (dir && existsSync(join(dir, "nats-server"))) return join(dir, "nats-server");
  return null;
}

/** Starts one JetStream node (`extraArgs`: e.g. --auth TOKEN, or -c CONFIG). */
export async function startNatsServer(extraArgs: string[] = []): Promise<NatsEngine> {
  const dir = await mkdtemp(join(tmpdir(), "hotwasm-nats-"));
  const node = await launchNode(dir, "n0", [], extraArgs);
  return engineOf(dir, [node]);
}

/** Starts a three-node JetStream cluster on loopback (quorum 2). */
export async function startNatsCluster(size = 3): Promise<NatsEngine> {
  const dir = await mkdtemp(join(tmpdir(), "hotwasm-nats-"));
  const routePorts = await freePorts(size);
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(",");
  const nodes = await Promise.all(routePorts.map((port, i) =>
    launchNode(dir, `n${i}`, ["--cluster_name", "hw", "--cluster", `nats://127.0.0.1:${port}`, "--routes", routes], [])));
  return engineOf(dir, nodes);
}

function engineOf(dir: string, nodes: NatsNode[]): NatsEngine {
  return {
    nodes, dir,
    urls: nodes.map((n) => n.url),
    stop: async () => {
      await Promise.all(nodes.map((n) => n.kill()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function launchNode(dir: string, name: string, clusterArgs: string[], extraArgs: string[]): Promise<NatsNode> {
  const bin = findNatsServer();
  if (!bin) throw new Error("nats-server is not installed (apt-get install nats-server)");
  const home = join(dir, name);
  let proc: ChildProcess | null = null;
  let port = -1;
  const start = async () => {
    const args = ["-js", "-sd", join(home, "js"), "-n", name, "-a", "127.0.0.1", "-p", String(port), "--ports_file_dir", home, ...clusterArgs, ...extraArgs];
    const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => { stderr = (stderr + c.toString()).slice(-4000); });
    proc = child;
    port = await readPort(home, child, () => stderr);
  };
  await start();
  const node: NatsNode = {
    name, port, running: true,
    get url() { return `nats://127.0.0.1:${port}`; },
    kill: async () => {
      const child = proc;
      proc = null;
      node.running = false;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await gone;
    },
    restart: async () => {
      await node.kill();
      await start();
      node.running = true;
    },
  };
  return node;
}

/** Waits for the node's ports file (written once it listens) and reads its client port. */
async function readPort(home: string, child: ChildProcess, stderr: () => string): Promise<number> {
  const file = `nats-server_${child.pid}.ports`;
  for (let i = 0; i < 500; i++) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}: ${stderr()}`);
    const files = await readdir(home).catch(() => [] as string[]);
    if (files.includes(file)) {
      const text = await readFile(join(home, file), "utf8").catch(() => "");
      const url = text ? (JSON.parse(text) as { nats?: string[] }).nats?.[0] : undefined;
      if (url) return Number(new URL(url).port);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill("SIGKILL");
  throw new Error(`nats-server did not start within 10 s: ${stderr()}`);
}

/** `n` free TCP ports on loopback (for cluster routes, which need to be known in advance). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
