// The hotwasm runtime: `import { Host } from "hotwasm"`. Runs in Node and in browsers.

export { Host, type HostOptions, type HPInfo, type ModuleSource } from "./host.js";
export { HPHttpServer, type HttpApiOptions } from "./http-server.js";
export { HotwasmError, ERROR_CODES, isHotwasmError, httpStatusOf, type ErrorCode } from "./errors.js";
export type { LoadConfig, EffectiveConfig, SymbolMap } from "./config.js";
export type { HostEvent, HostEventListener, LoadTimings } from "./events.js";
export type { UnloadResult } from "./unload-patch.js";
export { HOOK_NAMES, type HookName } from "./link-patch.js";
export { readManifest, decodeManifest, MANIFEST_SECTION, type Manifest, type ManifestFunction, type ManifestGlobal } from "./manifest.js";
export { PATCH_SECTION, type PatchMeta } from "./patch-meta.js";
