// What an agent knows, as data and as the "Fleet" section of the host's debug page.

import type { DebugSection } from "../admin/debug-state.js";
import type { HostStatus, RolloutState } from "./records.js";

/** An agent's view of itself and of its build's rollout. */
export interface AgentView {
  host_id: string;
  build_id: string;
  servers: string[];
  /** Joined and the last request to the engine went through. */
  connected: boolean;
  /** The last failure to reach the engine, or a name conflict. */
  problem: string | null;
  rollout: RolloutState | null;
  /** sha256 of the patches the fleet wants here, in load order. */
  desired: string[] | null;
  /** The last status the host wrote. */
  status: HostStatus | null;
  last_poll_at: number | null;
}

/** The debug page's fleet section: one row per fact. */
export function describeAgent(v: AgentView): DebugSection {
  const r = v.rollout;
  const step = r ? (r.phase === "canary" || r.phase === "waves" ? `, step ${r.step + 1} of ${r.steps.length} (${r.steps[r.step]!.pct} %)` : "") : "";
  const s = v.status;
  const rows: [string, string][] = [
    ["engine", v.servers.join(", ")],
    ["host", `${v.host_id} (build ${v.build_id})`],
    ["connection", v.connected ? "joined" : `not joined${v.problem ? `: ${v.problem}` : ""}`],
    ["rollout", r ? `${r.rollout_id}: ${r.phase}${step}, generation ${r.gen}${r.reason ? ` (${r.reason})` : ""}` : "none"],
    ["admitted", r ? (r.phase === "done" ? "all hosts" : r.admitted.includes(v.host_id) ? "yes" : "no") : "-"],
    ["wanted here", v.desired ? shortList(v.desired) : "-"],
    ["in force", s ? shortList(s.applied) : "-"],
    ["last result", s ? `${s.result}${s.code ? ` ${s.code}` : ""}${s.message ? `: ${s.message}` : ""} (generation ${s.gen}${s.traps ? `, ${s.traps} traps` : ""})` : "-"],
    ["last poll", v.last_poll_at ? new Date(v.last_poll_at).toISOString() : "-"],
  ];
  return { title: "Fleet", head: ["", ""], rows };
}

function shortList(shas: string[]): string {
  return shas.length === 0 ? "none" : shas.map((s) => s.slice(0, 12)).join(", ");
}
