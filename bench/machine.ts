// What the benchmark ran on: CPU, cores, memory, Node and V8 versions, date.

import { cpus, totalmem, platform, arch, loadavg } from "node:os";

/** The machine and runtime a benchmark run describes. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  node: string;
  v8: string;
  date: string;
  /** 1-minute load average when the run started (other work on the machine skews figures). */
  loadAverage: number;
}

/** Describes this machine now. */
export function describeMachine(): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: `${platform()} ${arch()}`,
    node: process.version,
    v8: process.versions.v8,
    date: new Date().toISOString(),
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  };
}
