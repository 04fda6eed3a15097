// HotwasmError: the one error type of hotwasm, with a stable code per failure kind.

/** Every code hotwasm can fail with, and what it means. Keep in sync with docs/errors.md's table
 * (test/docs/error-codes.test.ts checks it). */
export const ERROR_CODES = {
  E_INVALID_CONFIG: "the patch config is malformed (missing file, wrong types, unknown keys)",
  E_PATCH_READ_FAILED: "the patch file could not be read",
  E_PATCH_TOO_LARGE: "the patch is larger than the configured limit",
  E_INVALID_MODULE: "the bytes are not a valid WebAssembly module",
  E_NOT_PATCHABLE_BUILD: "the base module has no valid hotwasm manifest (build it with hotwasm build)",
  E_BUILD_MISMATCH: "the patch was built for another base build",
  E_UNKNOWN_SYMBOL: "a symbol named in the config or by an import does not exist in the base",
  E_AMBIGUOUS_SYMBOL: "a symbol name matches more than one symbol of the base",
  E_NOT_PATCHABLE: "the target function exists but was not made patchable",
  E_UNKNOWN_EXPORT: "the config names an export the patch does not have (or it is not a function)",
  E_DUPLICATE_TARGET: "two replacements of one patch target the same function",
  E_SIGNATURE_MISMATCH: "a replacement or a function ref has another type than the base function",
  E_GLOBAL_TYPE_MISMATCH: "a global ref has another value type or mutability than the base global",
  E_IMPORT_KIND_MISMATCH: "an import binds a function to a global or the other way round",
  E_UNRESOLVED_IMPORT: "an import of the patch has nothing to bind to",
  E_DATA_OUTSIDE_ARENA: "a data segment of the patch would write outside the base's patch arena",
  E_ARENA_CONFLICT: "a data segment of the patch overlaps the data of a patch in force",
  E_TABLE_WRITE: "the patch would write into the base's table at instantiation",
  E_START_FUNCTION: "the patch has a start function (code may not run at instantiation)",
  E_HOOK_SIGNATURE: "a hook export has another type than () -> i32 or () -> ()",
  E_INSTANTIATE_FAILED: "the patch module could not be instantiated",
  E_HOOK_VETO: "HPBeforeLoad or HPBeforeUnload refused (non-zero result or trap)",
  E_HOOK_FAILED: "HPAfterLoad failed; the load was rolled back",
  E_MIGRATION_FAILED: "the patch's migration (// @hotwasm-migrate) or an initialiser of its new globals trapped or returned non-zero; the load was aborted, nothing switched",
  E_ALREADY_LOADED: "the same bytes and config are already loaded",
  E_UNKNOWN_PATCH: "no patch with that id is loaded",
  E_BUSY: "a synchronous load was asked for while another operation is running",
  E_COMPILER_MISMATCH: "the patch was compiled with another compiler version or options than the base",
  E_CLASS_ID_MISMATCH: "a class of the base has another runtime id in the patch build",
  E_LAYOUT_MISMATCH: "a class of the base has another memory layout in the patch build",
  E_CLASS_CONFLICT: "the patch gives a new class id to another class than a patch in force does",
  E_GLOBAL_RETYPED: "the edit changes a global's type or mutability",
  E_GLOBAL_INIT_CHANGED: "the edit changes an existing global's initialiser or top-level code other than a new global's initialiser, which ran once at start",
  E_PATCH_SOURCE: "the patch source cannot be made into a patch (e.g. top-level statements)",
  E_RELOCATION: "the patch build could not be relocated (the two builds differ in more than addresses)",
  E_ARENA_FULL: "the patch arena has no free range large enough for the patch's static data",
  E_NO_ARENA: "the build cannot reserve a patch arena (the message names the option that prevents it)",
  E_ROOT_MISMATCH: "the base was built from another project root than the sources given; the message names both",
  E_BAD_REQUEST: "the request is malformed (not JSON, wrong shape)",
  E_BODY_TOO_LARGE: "the request body is larger than the server accepts",
  E_NOT_FOUND: "no such endpoint",
  E_METHOD_NOT_ALLOWED: "the endpoint does not take that HTTP method",
  E_INTERNAL: "an unexpected failure inside hotwasm (a bug); nothing was changed",
  E_AUTH_REQUIRED: "the admin server needs a token and the request has none",
  E_AUTH_FAILED: "the request's token is not the admin server's token",
  E_FORBIDDEN_ORIGIN: "the request comes from a browser page or a host name the admin server does not serve",
  E_PATH_OUTSIDE: "hp_file resolves outside the server's patch directory (.., an absolute path or a symlink)",
  E_PATCH_UNSIGNED: "the server only loads signed patches and this one has no signature",
  E_BAD_PATCH_SIGNATURE: "the patch's signature is malformed, from an untrusted key, or does not match its bytes",
  E_ADMIN_CONFIG: "the admin server's or client's options are unusable (token, trusted keys, patch directory, address)",
  E_ADMIN_UNREACHABLE: "the admin client could not reach the server or understand its answer",
  E_STATE_WRITE_FAILED: "the state directory could not record a load; the load was rolled back",
  E_STATE_CORRUPT: "a state directory entry or its stored patch is unreadable or does not match its hash",
  E_INVALID_OPTION: "an option of a host, pool or build is out of range or of the wrong type",
  E_WORKER_FAILED: "a worker of a pool could not start, crashed or exited; the message names it",
  E_CALL_FAILED: "a call on a pool worker threw, trapped or named no exported function",
  E_SAFEPOINT_TIMEOUT: "a worker did not reach a safe point in time; no worker switched",
  E_POOL_CLOSED: "the pool is closed",
  E_COMPILE_ERROR: "the AssemblyScript compiler reported errors; its messages say where",
  E_DEV_UNREACHABLE: "the dev client could not reach the dev server or lost its connection",
  E_BUNDLE_NODE_IMPORT: "the browser bundle would contain a Node module (node:*), which browsers do not have",
  E_TOO_LARGE: "a request or config holds more than is accepted (batch calls, map entries, name or id length, answer size)",
  E_MULTIPLE_MEMORIES: "the patch has more than one memory, or imports a memory other than env.memory",
  E_SIGNED_CONFIG_MISMATCH: "a signed patch was given another replace_config/ref_config than its signature covers",
  E_PATCH_TIMEOUT: "patch code run during a load or unload (a hook, its initialisation, its migration) did not return in time; it was interrupted",
  E_WORKER_REPLACED: "a pool worker did not reach a safe point in time; it was stopped, its calls failed, and a fresh worker took its place",
  E_STATE_DIR_FOREIGN: "the state directory holds files hotwasm did not create; give a new or empty directory",
  E_UNSUPPORTED_MEDIA_TYPE: "the request's content type is one a browser form can send (text/plain, multipart/form-data); send application/json",
  E_READ_FAILED: "a file a command was given (a base, a source, a key, a token, a config) could not be read",
  E_WRITE_FAILED: "a command could not write its output file (no such directory, no permission, or it exists)",
  E_WRONG_FILE_TYPE: "a file given to a command is not of the kind it takes (e.g. a .ts source, a PEM key)",
  E_ADMIN_TIMEOUT: "the admin server did not answer in time; a load or unload may still have taken effect",
  E_FLEET_CONFIG: "the fleet options are unusable (engine URL, host name, credentials, rollout spec)",
  E_FLEET_UNREACHABLE: "the fleet engine could not be reached, refused the credentials or could not commit a write",
  E_FLEET_NOT_SET_UP: "the fleet engine has no hotwasm buckets yet (run hotwasm fleet controller or fleet push)",
  E_FLEET_CONFLICT: "another writer got there first (a rollout in progress, a controller's lease, a host name in use)",
  E_FLEET_NO_ROLLOUT: "there is no rollout of that build to promote or roll back",
  E_FLEET_PATCH_MISSING: "the fleet's patch store has no patch with that sha256",
  E_FLEET_DIGEST_MISMATCH: "the bytes fetched from the fleet's patch store do not hash to their sha256 name",
  E_FLEET_CORRUPT: "a record read from the fleet engine is malformed",
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The error thrown by every hotwasm API; `code` is stable, `message` is for people. */
export class HotwasmError extends Error {
  override readonly name = "HotwasmError";
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  /** One line for logs and wire formats: `E_CODE: message`. */
  toLine(): string {
    return `${this.code}: ${this.message}`;
  }
}

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  E_INVALID_CONFIG: 400, E_BAD_REQUEST: 400, E_PATCH_READ_FAILED: 404, E_UNKNOWN_PATCH: 404, E_NOT_FOUND: 404,
  E_METHOD_NOT_ALLOWED: 405, E_ALREADY_LOADED: 409, E_HOOK_VETO: 409, E_BUSY: 409, E_PATCH_TOO_LARGE: 413,
  E_BODY_TOO_LARGE: 413, E_INTERNAL: 500, E_AUTH_REQUIRED: 401, E_AUTH_FAILED: 401, E_FORBIDDEN_ORIGIN: 403,
  E_PATH_OUTSIDE: 403, E_PATCH_UNSIGNED: 403, E_BAD_PATCH_SIGNATURE: 403, E_STATE_WRITE_FAILED: 503,
  E_INVALID_OPTION: 400, E_WORKER_FAILED: 503, E_CALL_FAILED: 500,
  E_SAFEPOINT_TIMEOUT: 503, E_POOL_CLOSED: 503, E_ADMIN_TIMEOUT: 504, E_TOO_LARGE: 413, E_SIGNED_CONFIG_MISMATCH: 403,
  E_WORKER_REPLACED: 503, E_UNSUPPORTED_MEDIA_TYPE: 415,
  E_FLEET_UNREACHABLE: 503, E_FLEET_CONFLICT: 409, E_FLEET_NO_ROLLOUT: 404, E_FLEET_CONFIG: 400,
};

/** The HTTP status for a refusal: 422 for a patch that does not fit the base, unless listed. */
export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code] ?? 422;
}

/** Any thrown value as a HotwasmError (unexpected ones become E_INTERNAL). */
export function toHotwasmError(err: unknown): HotwasmError {
  if (err instanceof HotwasmError) return err;
  return new HotwasmError("E_INTERNAL", describeError(err), { cause: err });
}

/** True when `err` is a HotwasmError (also across module copies). */
export function isHotwasmError(err: unknown): err is HotwasmError {
  return err instanceof HotwasmError || (err instanceof Error && err.name === "HotwasmError" && "code" in err);
}

/** The message of any thrown value, for wrapping it as a cause. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
