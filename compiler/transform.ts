// The asc transform as a package entry (`asc --transform hotwasm/transform`); it lives in
// base/patchable-transform.ts with the rest of the base build.

export { default, DEFAULT_ARENA_SIZE, type TransformOptions } from "./base/patchable-transform.js";
