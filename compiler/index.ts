// The hotwasm build tools: `import { buildPatchable } from "hotwasm/compiler"` (Node only).

export { buildPatchable, manifestOf, BuildError, type BuildOptions, type BuildResult } from "./build.js";
export { buildPlainPatch, type PlainPatchOptions } from "./build-plain-patch.js";
export { default as HotwasmTransform, DEFAULT_ARENA_SIZE } from "./transform.js";
export { appendCustomSection } from "./custom-section.js";
export { SAFEPOINT_MODES, DEFAULT_POLL_INTERVAL, type SafepointMode } from "./insert-safepoints.js";
