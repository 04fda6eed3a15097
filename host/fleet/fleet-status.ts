// The fleet at a glance: per build its rollout, and per host its presence, admission, the patches
// in force and its last result — as data (`fleet status --json`) and as a table.

import { isHotwasmError } from "../errors.js";
import { desiredFor } from "./admission.js";
import type { FleetEngine } from "./engine.js";
import { LAYOUT, checkBuildId } from "./layout.js";
import { presenceSchema, shasOf, statusSchema, type HostStatus, type Presence, type RolloutSpec, type RolloutState } from "./records.js";
import { readAll } from "./snapshot.js";
import { readBuild } from "./rollout-ops.js";
import { listSpecBuilds } from "./snapshot.js";

/** One host's row. */
export interface HostRow {
  host_id: string;
  build_id: string;
  live: boolean;
  admitted: boolean;
  /** sha256 of the patches the fleet wants on it, in load order. */
  wanted: string[];
  /** sha256 of the fleet's patches in force there, as it last reported (null: never reported). */
  applied: string[] | null;
  result: HostStatus["result"] | null;
  /** The generation it last reported, and whether that is the rollout's current one with exactly the wanted set. */
  gen: number | null;
  converged: boolean;
  code?: string;
  message?: string;
  traps: number;
  seen_at: number | null;
}

/** One build's rollout and hosts. */
export interface BuildStatus {
  build_id: string;
  spec: RolloutSpec | null;
  rollout: RolloutState | null;
  hosts: HostRow[];
}

/** Every build the engine knows (or one). */
export interface FleetStatus {
  builds: BuildStatus[];
}

/** Reads the status of every build (or `build` only). */
export async function readFleetStatus(engine: FleetEngine, build?: string): Promise<FleetStatus> {
  let presence: Map<string, Presence>, statuses: Map<string, HostStatus>, specBuilds: string[];
  try {
    [presence, statuses, specBuilds] = await Promise.all([readAll<Presence>(engine, LAYOUT.presence, ">", presenceSchema), readAll<HostStatus>(engine, LAYOUT.status, ">", statusSchema), listSpecBuilds(engine)]);
  } catch (err) {
    if (isHotwasmError(err) && err.code === "E_FLEET_NOT_SET_UP") return { builds: [] }; // nothing has joined yet
    throw err;
  }
  const builds = new Set<string>(build !== undefined ? [checkBuildId(build)] : [...specBuilds, ...[...presence.values()].map((p) => p.build_id), ...[...statuses.values()].map((s) => s.build_id)]);
  const out: BuildStatus[] = [];
  for (const b of [...builds].sort()) {
    const { spec, state } = await readBuild(engine, b);
    const live = new Map([...presence.values()].filter((p) => p.build_id === b).map((p) => [p.host_id, p]));
    const reported = new Map([...statuses.values()].filter((s) => s.build_id === b).map((s) => [s.host_id, s]));
    const hosts = [...new Set([...live.keys(), ...reported.keys()])].sort().map((h) => hostRow(b, h, live.has(h), reported.get(h), state.value, live.get(h)));
    out.push({ build_id: b, spec: spec.value, rollout: state.value, hosts });
  }
  return { builds: out };
}

/** The status as text: a line per build, then a table of its hosts. */
export function formatFleetStatus(status: FleetStatus, now = Date.now()): string {
  if (status.builds.length === 0) return "no build has joined the fleet yet";
  const out: string[] = [];
  for (const b of status.builds) {
    const r = b.rollout;
    const live = b.hosts.filter((h) => h.live).length;
    const step = r && (r.phase === "canary" || r.phase === "waves") ? `, step ${r.step + 1} of ${r.steps.length} (${r.steps[r.step]!.pct} %)` : "";
    out.push(`build ${b.build_id}: ${r ? `rollout ${r.rollout_id} ${r.phase}${step}, generation ${r.gen}; ${r.phase === "done" ? "all" : r.admitted.length} admitted, ${b.hosts.filter((h) => h.live && h.converged).length} of ${live} live hosts converged` : `no rollout; ${live} live hosts`}`);
    if (r?.reason) out.push(`  reason: ${r.reason}`);
    if (r) out.push(`  patches: target ${list(shasOf(r.target))}; baseline ${list(shasOf(r.baseline))}`);
    if (r?.unconfirmed?.length) out.push(`  unconfirmed: ${r.unconfirmed.join(", ")}`);
    if (b.spec && b.spec.rollout_id !== r?.rollout_id) out.push(`  waiting for the controller: rollout ${b.spec.rollout_id} (patch ${b.spec.patch.sha256.slice(0, 12)})`);
    const rows = b.hosts.map((h) => [
      h.host_id, h.build_id.slice(0, 12), h.live ? "live" : "gone", h.admitted ? "yes" : "no", h.applied ? list(h.applied) : "?",
      h.result ? `${h.result}${h.code ? ` ${h.code}` : ""}` : "-", h.gen === null ? "-" : `${h.gen}${h.converged ? "" : " (behind)"}`,
      h.seen_at === null ? "-" : `${Math.max(0, Math.round((now - h.seen_at) / 1000))}s ago`,
    ]);
    out.push(...formatTable(["HOST", "BUILD", "PRESENCE", "ADMITTED", "PATCHES IN FORCE", "LAST RESULT", "GEN", "SEEN"], rows).map((l) => `  ${l}`));
  }
  return out.join("\n");
}

function hostRow(build: string, host: string, live: boolean, s: HostStatus | undefined, state: RolloutState | null, p: Presence | undefined): HostRow {
  const wanted = state ? shasOf(desiredFor(state, host)) : [];
  const converged = !!s && s.result === "ack" && s.applied.join() === wanted.join() && (state ? s.rollout_id === state.rollout_id && s.gen === state.gen : s.rollout_id === null);
  return {
    host_id: host, build_id: build, live, admitted: !!state && (state.phase === "done" || state.admitted.includes(host)), wanted,
    applied: s ? s.applied : null, result: s ? s.result : null, gen: s ? s.gen : null, converged,
    ...(s?.code ? { code: s.code } : {}), ...(s?.message ? { message: s.message } : {}), traps: s?.traps ?? 0,
    seen_at: Math.max(s?.at ?? 0, p?.at ?? 0) || null,
  };
}

function list(shas: string[]): string {
  return shas.length === 0 ? "none" : shas.map((s) => s.slice(0, 12)).join(", ");
}

function formatTable(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(head), ...rows.map(line)];
}
