// Test helper for the model-based test: patches described by a few numbers (which functions of the
// base fixture they replace, a constant, hooks, a trap), their WAT, and a model of what each
// observed function returns given the stacks of patches in force.

import { wat } from "./wat.js";

/** The base fixture's functions the model patches. */
export const TARGETS = ["version", "add", "small", "fib", "scale"] as const;
export type Target = (typeof TARGETS)[number];

/** A patch: replaces `targets` with versions using constant `k`. */
export interface PatchSpec {
  targets: Target[];
  k: number;
  /** HPBeforeLoad vetoes, or HPAfterLoad fails (the load rolls back). */
  hook: "none" | "veto-load" | "fail-after";
  /** Its add traps for a negative first argument. */
  trap: boolean;
  /** Loaded with a policy of at most this many traps (in an hour), or without one. */
  maxTraps: number | null;
  /** One export "g" (i32) -> i32 bound by config to small or fib: the same bytes, another config. */
  alias: boolean;
}

const bodies: Record<Target, (k: number, trap: boolean) => string> = {
  version: (k) => `(result i32) (i32.const ${k})`,
  add: (k, trap) => `(param i32 i32) (result i32) ${trap ? "(if (i32.lt_s (local.get 0) (i32.const 0)) (then (unreachable)))" : ""} (i32.add (i32.add (local.get 0) (local.get 1)) (i32.const ${k}))`,
  small: (k) => `(param i32) (result i32) (i32.mul (local.get 0) (i32.const ${k}))`,
  fib: (k) => `(param i32) (result i32) (i32.mul (local.get 0) (i32.const ${k}))`,
  scale: (k) => `(param f64) (result f64) (f64.mul (local.get 0) (f64.const ${k}))`,
};

const cache = new Map<string, Uint8Array>();

/** The patch's bytes (every patch's HPBeforeUnload calls env.callback, which the test can make fail). */
export function patchBytes(spec: PatchSpec): Uint8Array {
  const key = JSON.stringify({ ...spec, targets: spec.alias ? [] : spec.targets, maxTraps: null });
  let bytes = cache.get(key);
  if (!bytes) {
    const fns = spec.alias ? [`(func (export "g") ${bodies.small(spec.k, false)})`] : spec.targets.map((t) => `(func (export "${t}") ${bodies[t](spec.k, spec.trap)})`);
    const hook = spec.hook === "veto-load" ? `(func (export "HPBeforeLoad") (result i32) (i32.const 1))` : spec.hook === "fail-after" ? `(func (export "HPAfterLoad") (result i32) (i32.const 2))` : "";
    bytes = wat(`(module (import "env" "callback" (func $cb)) ${fns.join(" ")} ${hook} (func (export "HPBeforeUnload") (call $cb)))`);
    cache.set(key, bytes);
  }
  return bytes;
}

/** The patch's replace_config. */
export function replaceConfig(spec: PatchSpec): Record<string, string> {
  return spec.alias ? { g: spec.targets[0]! } : Object.fromEntries(spec.targets.map((t) => [t, t]));
}

/** A loaded patch in the model. */
export interface ModelPatch {
  key: string;
  id: string;
  spec: PatchSpec;
  traps: number;
}

/** What the observed calls return with `top(t)` the patch in force for each target (or none). */
export function expectedCalls(top: (t: Target) => ModelPatch | undefined) {
  const k = (t: Target) => top(t)?.spec.k;
  const small = (x: number) => (k("small") === undefined ? x + 1 : x * k("small")!);
  return {
    version: k("version") ?? 1,
    add: 5 + (k("add") ?? 0),
    useSmall: small(3) * 2,
    viaRef: small(3),
    fib: k("fib") === undefined ? 8 : 6 * k("fib")!,
    scale: k("scale") === undefined ? 3 : 1.5 * k("scale")!,
  };
}

/** What the host's exports return now, for comparison with `expectedCalls`. */
export function actualCalls(x: Record<string, any>) {
  return { version: x.version(), add: x.add(2, 3), useSmall: x.useSmall(3), viaRef: x.viaRef(3), fib: x.fib(6), scale: x.scale(1.5) };
}
