// The hotwasm build tools: `import { buildPatchable } from "hotwasm/compiler"` (Node only).

export { buildPatchable, manifestOf, BuildError, type BuildOptions, type BuildResult } from "./base/build.js";
export { buildPlainPatch, type PlainPatchOptions } from "./patch/build-plain-patch.js";
export { default as HotwasmTransform, DEFAULT_ARENA_SIZE } from "./base/patchable-transform.js";
export { appendCustomSection } from "./common/custom-section.js";
export { SAFEPOINT_MODES, DEFAULT_POLL_INTERVAL, type SafepointMode } from "./base/insert-safepoints.js";
