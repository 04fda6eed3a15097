// Where the fleet keeps its state in the engine: bucket, store and stream names, key and subject
// builders, and the checks every name read from a user or the engine goes through.

import { HotwasmError } from "../errors.js";

/** The engine objects of a fleet. */
export const LAYOUT = {
  /** KV: `spec.<build>` (written by operators) and `rollout.<build>` (by the controller, compare-and-set only). */
  fleet: "hw_fleet",
  /** KV: `status.<build>.<host>`, written by each host's agent. */
  status: "hw_status",
  /** KV with a bucket-wide TTL: `<build>.<host>`, refreshed by each host's agent. */
  presence: "hw_presence",
  /** Object store: patch bytes named by their sha256 (hex). */
  patches: "hw_patches",
  /** Stream: one message per transition and per host result. */
  audit: "HW_AUDIT",
  auditSubjects: "hw.audit.>",
} as const;

/** The operator's rollout spec of a build. */
export const specKey = (build: string): string => `spec.${build}`;
/** The controller's rollout state of a build. */
export const rolloutKey = (build: string): string => `rollout.${build}`;
/** A host's status. */
export const statusKey = (build: string, host: string): string => `status.${build}.${host}`;
/** A host's presence. */
export const presenceKey = (build: string, host: string): string => `${build}.${host}`;
/** Audit subject of a build's transitions. */
export const transitionSubject = (build: string): string => `hw.audit.${build}.transition`;
/** Audit subject of a host's results. */
export const hostResultSubject = (build: string, host: string): string => `hw.audit.${build}.host.${host}`;

/** A host's name in the fleet: letters, digits, `-` and `_` (it is a key token). */
export const HOST_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** A base build id (as in a manifest). */
export const BUILD_ID = /^[0-9a-f]{32}$/;
/** A patch's sha256, hex. */
export const SHA256 = /^[0-9a-f]{64}$/;
/** A rollout id. */
export const ROLLOUT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `id` if it can name a host in the fleet; E_FLEET_CONFIG otherwise. */
export function checkHostId(id: string): string {
  if (!HOST_ID.test(id)) throw new HotwasmError("E_FLEET_CONFIG", `the fleet host name "${id}" must be 1-128 letters, digits, "-" or "_"`);
  return id;
}

/** `id` if it is a build id; E_FLEET_CONFIG otherwise. */
export function checkBuildId(id: string): string {
  if (!BUILD_ID.test(id)) throw new HotwasmError("E_FLEET_CONFIG", `"${id}" is not a build id (32 hex digits)`);
  return id;
}

/** A host name made from a machine name: other characters become "-". */
export function hostIdFrom(machine: string): string {
  const id = machine.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 128);
  return id === "" ? "host" : id;
}
