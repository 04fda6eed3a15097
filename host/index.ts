// The hotwasm runtime: `import { Host } from "hotwasm"`. Runs in Node and in browsers.

export { Host, type HostOptions, type HPInfo, type ModuleSource } from "./host.js";
export { storedPatches, type PatchStore, type StoredPatch } from "./patch-store.js";
export { HPHttpServer, type HttpApiOptions } from "./http-server.js";
export { HPRpcServer, RPC_SERVICE, type RpcApiOptions } from "./rpc-server.js";
export { RPC_METHODS } from "./rpc-call.js";
export { collectDebugState, type DebugState, type DebugSection, type DebugSections } from "./debug-state.js";
export { renderDebugPage } from "./debug-page.js";
export type { AdminHooks, AdminRecord, AdminAction } from "./admin-hooks.js";
export { createAdminClient, type AdminClient, type AdminClientOptions, type AdminLoadRequest } from "./admin-client.js";
export { bufferEvents, type EventBuffer } from "./event-buffer.js";
export { consoleImports } from "./console-imports.js";
export { SIGNATURE_SECTION, splitSignature, attachSignature, signatureMessage, type PatchSignature } from "./patch-signature.js";
export type { PatchTarget } from "./patch-target.js";
export type { AdminTarget } from "./admin-target.js";
export type { StageRequest, Staged, StagedLoad } from "./staged.js";
export { HotwasmError, ERROR_CODES, isHotwasmError, httpStatusOf, describeError, type ErrorCode } from "./errors.js";
export type { LoadConfig, EffectiveConfig, SymbolMap, TrapPolicy } from "./config.js";
export type { HostEvent, HostEventListener, LoadTimings } from "./events.js";
export type { UnloadResult } from "./unload-patch.js";
export { HOOK_NAMES, type HookName } from "./link-patch.js";
export { readManifest, decodeManifest, MANIFEST_SECTION, type Manifest, type ManifestFunction, type ManifestGlobal } from "./manifest.js";
export { PATCH_SECTION, type PatchMeta } from "./patch-meta.js";
export { connectDevServer, type DevClient, type DevClientOptions } from "./dev-client.js";
export { describeDevStatus, describeProblem, shortName, type DevStatus } from "./dev-status.js";
export { DEV_PATHS, encodeBase64, decodeBase64, type DevEvent, type DevPatch, type DevProblem, type DevAck } from "./dev-protocol.js";
