// hotwasm fleets (Node only, `import { FleetAgent } from "hotwasm/fleet"`): staged rollout of patches to
// many hosts through NATS JetStream — the host agent, the controller, the operator's commands and the status.

export { FleetAgent, type FleetAgentOptions, type AgentView } from "./agent.js";
export { FleetController, type ControllerOptions } from "./controller.js";
export { connectEngine, setUpFleet, type EngineOptions, type EngineTraffic, type FleetEngine, type LayoutOptions } from "./engine.js";
export { readEngineOptions, DEFAULT_ENGINE_URL, type EngineSources } from "./credentials.js";
export { startRollout, requestRollback, promoteRollout, type RolloutRequest } from "./rollout-ops.js";
export { readFleetStatus, formatFleetStatus, type FleetStatus, type BuildStatus, type HostRow } from "./fleet-status.js";
export { pushPatch, fetchPatch, readPatchFacts, sha256Hex, type PatchFacts } from "./patch-objects.js";
export { readAudit, type AuditRecord, type TransitionRecord, type HostResultRecord } from "./audit.js";
export { buildSteps, parseDuration, parseHold, parsePercent } from "./spec-options.js";
export { decideNext, transitionOf, type Snapshot, type Decision, type Transition, type Actor } from "./decide.js";
export { admitHosts, desiredFor, rankOf } from "./admission.js";
export { LAYOUT, checkHostId, checkBuildId, hostIdFrom, rolloutKey, specKey, statusKey, presenceKey } from "./layout.js";
export type { PatchItem, RolloutSpec, RolloutState, RolloutStep, HostStatus, Presence, Phase } from "./records.js";
