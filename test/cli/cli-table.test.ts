// The CLI's refusals, command by command: with no arguments, with a missing file, with a file of
// the wrong kind, and with --help. Each row checks the exit code (0 ok, 1 refused or failed with
// its code, 2 usage) and that the message names the problem. Run in process through runCli (the
// bin only hands its result to process.exitCode; the last test checks that through the bin).

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cli/main.js";
import { listenOn } from "../../host/node/listen.js";
import { hotwasm } from "../helpers/cli-process.js";
import { exampleBinaries } from "../helpers/example-app.js";

let dir = "";
let odd: Server;
let silent: Server;
let oddUrl = "";
let silentUrl = "";

beforeAll(async () => {
  const { appPath, patchPath } = await exampleBinaries();
  dir = await mkdtemp(join(tmpdir(), "hotwasm-cli-table-"));
  await mkdir(join(dir, "patches"));
  await mkdir(join(dir, "keys"));
  await copyFile(appPath, join(dir, "app.wasm"));
  await copyFile(patchPath, join(dir, "hp.wasm"));
  await writeFile(join(dir, "README.md"), "# Not WebAssembly\n\nA page of text.\n");
  await writeFile(join(dir, "empty.wasm"), new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])); // a module without a manifest
  await writeFile(join(dir, "patches/fix.ts"), "export function func1(): void {}\n");
  await writeFile(join(dir, "spaced-token"), "correct horse battery staple\n");
  await writeFile(join(dir, "k.key"), "-----BEGIN PRIVATE KEY-----\nnot really\n-----END PRIVATE KEY-----\n");
  // A server that answers every request with JSON of the wrong shape, and one that never answers.
  odd = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"surprise": true}'));
  silent = createServer(() => {});
  oddUrl = await listenOn(odd, "127.0.0.1", 0);
  silentUrl = await listenOn(silent, "127.0.0.1", 0);
});
afterAll(async () => {
  odd.close();
  silent.closeAllConnections();
  silent.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs `hotwasm ...args` in process in the table's directory. */
async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (s) => out.push(s), err: (s) => err.push(s), cwd: dir, version: "0.1.0", env });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

type Row = [what: string, args: string[], code: number, message: RegExp, env?: Record<string, string>];

const COMMANDS = ["build", "inspect", "patch", "diff", "dev", "serve", "load", "unload", "info", "sign", "keygen"];

/** Every command: no arguments, a missing file, a file of the wrong kind (and more refusals of the kind). */
const ROWS: Record<string, Row[]> = {
  build: [
    ["no arguments (no entry anywhere)", [], 2, /^error: name the entry files, or list them in asconfig\.json's "entries" \(there is no assembly\/index\.ts/],
    ["a missing entry", ["nope.ts"], 1, /^error E_READ_FAILED: cannot read the entry nope\.ts: no such file or directory$/],
    ["a README as an entry", ["README.md"], 1, /^error E_WRONG_FILE_TYPE: the entry README\.md is not an AssemblyScript source \(a \.ts file\)$/],
    ["an unknown target", ["patches/fix.ts", "--target", "nope"], 2, /^error: --target nope: asconfig\.json has no targets \(there is no asconfig\.json\)$/],
  ],
  inspect: [
    ["no arguments", [], 2, /^error: missing required argument 'file'/],
    ["a missing file", ["nope.wasm"], 1, /^error E_PATCH_READ_FAILED: cannot read nope\.wasm: no such file or directory$/],
    ["a README as a module", ["README.md"], 1, /^error E_INVALID_MODULE: README\.md is not a WebAssembly module/],
  ],
  patch: [
    ["no arguments", [], 2, /^error: required option '--base <file>' not specified/],
    ["no patch source", ["--base", "app.wasm"], 2, /^error: missing required argument 'file'/],
    ["a missing patch source", ["nope.ts", "--base", "app.wasm"], 1, /^error E_READ_FAILED: cannot read the patch source nope\.ts: no such file or directory$/],
    ["a missing base", ["patches/fix.ts", "--base", "nope.wasm"], 1, /^error E_READ_FAILED: cannot read the base nope\.wasm: no such file or directory$/],
    ["a README as the base", ["patches/fix.ts", "--base", "README.md"], 1, /^error E_INVALID_MODULE: the base README\.md is not a WebAssembly module \(it does not start with \\0asm\)$/],
    ["a module without a manifest as the base", ["patches/fix.ts", "--base", "empty.wasm"], 1, /^error E_NOT_PATCHABLE_BUILD: the module has no "hotwasm\.manifest" section/],
    ["a README as the patch source", ["README.md", "--base", "app.wasm"], 1, /^error E_WRONG_FILE_TYPE: the patch source README\.md is not an AssemblyScript source/],
  ],
  diff: [
    ["no arguments", [], 2, /^error: required option '--base <file>' not specified/],
    ["a missing base", ["--base", "nope.wasm"], 1, /^error E_READ_FAILED: cannot read the base nope\.wasm: no such file or directory$/],
    ["a README as the base", ["--base", "README.md"], 1, /^error E_INVALID_MODULE: the base README\.md is not a WebAssembly module/],
    ["a README as an entry", ["README.md", "--base", "app.wasm"], 1, /^error E_WRONG_FILE_TYPE: the entry README\.md is not an AssemblyScript source/],
  ],
  dev: [
    ["no arguments (no entry anywhere)", [], 2, /^error: name the entry files, or list them in asconfig\.json's "entries"/],
    ["a missing entry", ["nope.ts"], 1, /^error E_READ_FAILED: cannot read the entry nope\.ts: no such file or directory$/],
    ["a README as an entry", ["README.md"], 1, /^error E_WRONG_FILE_TYPE: the entry README\.md is not an AssemblyScript source/],
    ["a missing project directory", ["--dir", "nope"], 1, /^error E_READ_FAILED: the project directory nope is not a directory$/],
    ["a port that is not one", ["--port", "http"], 2, /^error: --port \(or PORT\) must be a whole number up to 65535, not "http"$/],
    ["PORT that is not one", [], 2, /^error: --port \(or PORT\) must be a whole number up to 65535, not "eighty"$/, { PORT: "eighty" }],
  ],
  serve: [
    ["no arguments", [], 2, /^error: missing required argument 'app'/],
    ["a missing base", ["nope.wasm", "--port", "0"], 1, /^error E_READ_FAILED: cannot read the base nope\.wasm: no such file or directory$/],
    ["a README as the base", ["README.md", "--port", "0"], 1, /^error E_INVALID_MODULE: the base README\.md is not a WebAssembly module/],
    ["a patch as the base", ["hp.wasm", "--port", "0"], 1, /^error E_NOT_PATCHABLE_BUILD: /],
    ["a missing token file", ["app.wasm", "--port", "0", "--token-file", "nope"], 1, /^error E_READ_FAILED: cannot read the token file nope: no such file or directory$/],
    ["a token file with spaces", ["app.wasm", "--port", "0", "--token-file", "spaced-token"], 1, /^error E_ADMIN_CONFIG: the token in spaced-token has a space at position 8; a token is printable ASCII without spaces/],
    ["a missing TLS certificate", ["app.wasm", "--port", "0", "--tls-cert", "nope.pem", "--tls-key", "nope.pem"], 1, /^error E_READ_FAILED: cannot read the --tls-cert file nope\.pem: no such file or directory$/],
    ["a README as the TLS certificate", ["app.wasm", "--port", "0", "--tls-cert", "README.md", "--tls-key", "README.md"], 1, /^error E_ADMIN_CONFIG: cannot use the TLS certificate and key: /],
  ],
  load: [
    ["no arguments", [], 2, /^error: missing required argument 'file'/],
    ["a missing file to upload", ["nope.wasm", "--upload"], 1, /^error E_PATCH_READ_FAILED: cannot read nope\.wasm: no such file or directory$/],
    ["a README to upload", ["README.md", "--upload"], 1, /^error E_INVALID_MODULE: README\.md is not a WebAssembly module/],
    ["a token file with spaces", ["hp.wasm", "--token-file", "spaced-token"], 1, /^error E_ADMIN_CONFIG: the token in spaced-token has a space at position 8/],
    ["an answer of the wrong shape", ["hp.wasm"], 1, /^error E_ADMIN_UNREACHABLE: the server answered a load answer without an hp_id; is it a hotwasm serve/, { HOTWASM_URL: "odd" }],
  ],
  unload: [
    ["no arguments", [], 2, /^error: missing required argument 'hp_id'/],
    ["not an id", ["README.md"], 2, /^error: HP_ID is the 64 hex digits hotwasm load printed \(hotwasm info lists them\), not "README\.md"$/],
    ["a missing token file", ["0".repeat(64), "--token-file", "nope"], 1, /^error E_READ_FAILED: cannot read the token file nope: no such file or directory$/],
  ],
  info: [
    ["no arguments (a server answering the wrong shape)", [], 1, /^error E_ADMIN_UNREACHABLE: the server answered an info answer that is not a list of patches; is it a hotwasm serve/, { HOTWASM_URL: "odd" }],
    ["no answer in time", ["--timeout", "300"], 1, /^error E_ADMIN_TIMEOUT: http:\/\/127\.0\.0\.1:\d+ did not answer within 300 ms; a load or unload may still take effect there/, { HOTWASM_URL: "silent" }],
    ["a missing token file", ["--token-file", "nope"], 1, /^error E_READ_FAILED: cannot read the token file nope: no such file or directory$/],
    ["a README as the token file", ["--token-file", "README.md"], 1, /^error E_ADMIN_CONFIG: the token in README\.md has a space at position 2/],
    ["a short HOTWASM_TOKEN", [], 1, /^error E_ADMIN_CONFIG: HOTWASM_TOKEN has 5 characters; use at least 16$/, { HOTWASM_TOKEN: "short" }],
    ["a timeout that is not one", ["--timeout", "soon"], 2, /^error: --timeout must be a whole number of milliseconds from 1, not "soon"$/],
  ],
  sign: [
    ["no arguments", [], 2, /^error: required option '--key <file>' not specified/],
    ["no patch", ["--key", "k.key"], 2, /^error: missing required argument 'patch'/],
    ["a missing patch", ["nope.wasm", "--key", "k.key"], 1, /^error E_PATCH_READ_FAILED: cannot read nope\.wasm: no such file or directory$/],
    ["a missing key", ["hp.wasm", "--key", "nope.key"], 1, /^error E_READ_FAILED: cannot read the key nope\.key: no such file or directory$/],
    ["a README as the patch", ["README.md", "--key", "k.key"], 1, /^error E_INVALID_MODULE: README\.md is not a WebAssembly module/],
    ["a README as the key", ["hp.wasm", "--key", "README.md"], 1, /^error E_WRONG_FILE_TYPE: README\.md is not a PEM private key \(hotwasm keygen NAME makes NAME\.key\)$/],
  ],
  keygen: [
    ["no arguments", [], 2, /^error: missing required argument 'name'/],
    ["a missing directory", ["nodir/alice"], 1, /^error E_WRITE_FAILED: cannot write nodir\/alice\.pub: no such file or directory$/],
    ["a directory as the name", ["keys/"], 2, /^error: NAME must name a file \(NAME\.key, NAME\.pub are written\), not the directory "keys\/"$/],
    ["an existing key (keys/taken.pub is made first)", ["keys/taken"], 1, /^error E_WRITE_FAILED: cannot write keys\/taken\.pub: it exists already \(it is never overwritten\)$/],
  ],
};

describe("every command's refusals: exit code and a message naming the problem", () => {
  test("the table covers every command", () => {
    expect(Object.keys(ROWS).sort()).toEqual([...COMMANDS].sort());
  });

  for (const command of COMMANDS) {
    test(command, async () => {
      if (command === "keygen") await writeFile(join(dir, "keys/taken.pub"), "kept\n");
      for (const [what, args, code, message, env = {}] of ROWS[command]!) {
        const urls: Record<string, string> = { odd: oddUrl, silent: silentUrl };
        const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, k === "HOTWASM_URL" ? urls[v]! : v]));
        const r = await run([command, ...args], resolved);
        expect([what, r.code, r.out]).toEqual([what, code, ""]);
        expect([what, r.err.split("\n")[0]]).toEqual([what, expect.stringMatching(message)]);
      }
      if (command === "keygen") expect([await readFile(join(dir, "keys/taken.pub"), "utf8"), existsSync(join(dir, "keys/taken.key"))]).toEqual(["kept\n", false]);
    });
  }

  test("--help of every command: exit 0, its usage and examples on stdout", async () => {
    for (const command of COMMANDS) {
      const r = await run([command, "--help"]);
      expect([command, r.code, r.err]).toEqual([command, 0, ""]);
      expect(r.out).toMatch(new RegExp(`^Usage: hotwasm ${command} `));
      expect(r.out).toMatch(/\nExamples:\n {2}\$ hotwasm /);
    }
  });

  test("no command at all is a usage error after the list of commands; an unknown one too", async () => {
    const none = await run([]);
    expect([none.code, none.out]).toEqual([2, ""]);
    expect(none.err).toMatch(/^Usage: hotwasm \[options\] \[command\][\s\S]*\nerror: name a command \(the list is above\)$/);
    const unknown = await run(["frobnicate"]);
    expect([unknown.code, unknown.err]).toEqual([2, expect.stringMatching(/^error: unknown command 'frobnicate'/)]);
    expect((await run(["help"])).code).toBe(0);
    expect((await run(["--version"])).out).toBe("0.1.0");
  });
});

test("through the bin, the process exits with the same codes", async () => {
  expect((await hotwasm(dir, [])).code).toBe(2);
  const missing = await hotwasm(dir, ["inspect", "nope.wasm"]);
  expect([missing.code, missing.stderr]).toEqual([1, "error E_PATCH_READ_FAILED: cannot read nope.wasm: no such file or directory\n"]);
  expect((await hotwasm(dir, ["inspect", "--help"])).code).toBe(0);
});
