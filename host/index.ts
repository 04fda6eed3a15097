// The hotwasm runtime: `import { Host } from "hotwasm"`. Runs in Node and in browsers.

export { Host, type HostOptions, type HPInfo, type ModuleSource } from "./core/host.js";
export { storedPatches, type PatchStore, type StoredPatch } from "./lifecycle/patch-store.js";
export { HPHttpServer, type HttpApiOptions } from "./admin/http-server.js";
export { HPRpcServer, RPC_SERVICE, type RpcApiOptions } from "./admin/rpc-server.js";
export { RPC_METHODS } from "./admin/rpc-call.js";
export { collectDebugState, type DebugState } from "./admin/debug-state.js";
export { renderDebugPage } from "./admin/debug-page.js";
export type { AdminHooks, AdminRecord, AdminAction } from "./admin/admin-hooks.js";
export { createAdminClient, type AdminClient, type AdminClientOptions, type AdminLoadRequest } from "./admin/admin-client.js";
export { bufferEvents, type EventBuffer } from "./admin/event-buffer.js";
export { consoleImports } from "./core/console-imports.js";
export {
  SIGNATURE_SECTION, SIGNATURE_VERSION, splitSignature, stripSignature, attachSignature, signatureMessage, canonicalJson, checkSignedConfig,
  type PatchSignature, type SignedConfig, type VerifiedPatch,
} from "./link/patch-signature.js";
export type { PatchTarget } from "./core/patch-target.js";
export type { StageRequest, Staged, StagedLoad } from "./model/staged.js";
export { HotwasmError, ERROR_CODES, isHotwasmError, httpStatusOf, type ErrorCode } from "./errors.js";
export type { LoadConfig, EffectiveConfig, SymbolMap, TrapPolicy } from "./model/config.js";
export type { HostEvent, HostEventListener, LoadTimings } from "./model/events.js";
export type { UnloadResult } from "./lifecycle/unload-patch.js";
export type { PatchCodeRunner } from "./lifecycle/patch-code.js";
export { printable } from "./model/printable.js";
export { HOOK_NAMES, type HookName } from "./model/hook-names.js";
export { readManifest, decodeManifest, MANIFEST_SECTION, type Manifest, type ManifestFunction, type ManifestGlobal } from "./model/manifest.js";
export { PATCH_SECTION, type PatchMeta } from "./model/patch-meta.js";
export { connectDevServer, type DevClient, type DevClientOptions } from "./dev/dev-client.js";
export { describeDevStatus, describeProblem, shortName, type DevStatus } from "./dev/dev-status.js";
export { DEV_PATHS, encodeBase64, decodeBase64, type DevEvent, type DevPatch, type DevProblem, type DevAck } from "./dev/dev-protocol.js";
