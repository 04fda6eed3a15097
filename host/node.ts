// hotwasm for Node: `import { HostPool, startAdminServer } from "hotwasm/node"`: worker pools, the admin plane (server,
// gate, audit log, path confinement, state directory), patch signing, plus everything of "hotwasm" itself.

export { startAdminServer, createAdminListener, type AdminServer, type AdminServerOptions } from "./node/admin-server.js";
export { createAuthorizer, isLoopbackName, MIN_TOKEN_LENGTH, type AuthOptions } from "./node/admin-auth.js";
export { openAuditLog, type AuditLog, type AuditEntry } from "./node/audit-log.js";
export { PatchJournal, type JournalOptions, type JournalStep } from "./node/patch-journal.js";
export { readRegularFile, type RegularFileOptions } from "./node/regular-file.js";
export { createPatchWatchdog, DEFAULT_PATCH_TIMEOUT_MS } from "./pool/patch-watchdog.js";
export { restorePatches, type RestoreReport } from "./node/restore-patches.js";
export { createConfinedReader, isInside } from "./node/confine-path.js";
export { generateSigningKeys, keyIdOf, signPatch, readTrustedKeys, createPatchVerifier, type TrustedKey } from "./node/patch-signing.js";
export {
  instantiateServedHost, loadImportsModule, exportedFunction, DEFAULT_MAX_PATCH_BYTES,
  type ServedHost, type ServedHostOptions, type ImportsFactory,
} from "./node/serve-host.js";

export * from "./index.js";
export { HostPool, type HostPoolOptions } from "./pool/host-pool.js";
export type { SwapStats } from "./pool/run-swap.js";
