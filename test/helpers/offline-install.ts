// Test helper: installs a packed hotwasm tarball into a project with no network. The project gets
// a lockfile made from this repository's: hotwasm's dependencies at the very versions `npm ci`
// put in the npm cache here (and in CI), and hotwasm itself from the tarball; `npm ci --offline`
// then reads everything from that cache. Every npm run here is offline, with no update check
// (a registry that does not answer would hold a command for minutes), and every command has a
// deadline: a hang fails with the command's name and output instead of stalling the test.

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { cleanEnv } from "./cli-process.js";
import { root } from "./example-app.js";

/** Longest a command may run, in ms. */
export const COMMAND_DEADLINE_MS = 150_000;

/** Runs a command (killed after COMMAND_DEADLINE_MS); resolves with its output, rejects with its output when it fails. */
export function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const options = { cwd, env: { ...outsideNpm(cleanEnv(env)), ...NPM_OFFLINE }, maxBuffer: 16 * 1024 * 1024, timeout: COMMAND_DEADLINE_MS, killSignal: "SIGKILL" as const };
    execFile(command, args, options, (err, stdout, stderr) => {
      const took = `after ${Date.now() - started} ms`;
      if (err?.killed) reject(new Error(`${command} ${args.join(" ")} (in ${cwd}) did not finish within ${COMMAND_DEADLINE_MS} ms and was killed\n${stdout}\n${stderr}`));
      else if (err) reject(new Error(`${command} ${args.join(" ")} (in ${cwd}) failed ${took}: ${err.message}\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** npm settings for every run: nothing from the network, no update check, no audit or funding calls. */
const NPM_OFFLINE = { npm_config_offline: "true", npm_config_update_notifier: "false", npm_config_audit: "false", npm_config_fund: "false" };

/** Packs the repository (its dist/ as built) into `dir`; the tarball's path and its file list. */
export async function packHotwasm(dir: string): Promise<{ tarball: string; files: string[] }> {
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], root);
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  return { tarball: join(dir, packed!.filename), files: packed!.files.map((f) => f.path) };
}

/** Adds `tarball` as the project's hotwasm dependency and installs it offline. */
export async function installOffline(project: string, tarball: string): Promise<void> {
  const lock = JSON.parse(await readFile(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
  const own = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as Record<string, unknown>;
  const pkg = JSON.parse(await readFile(join(project, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
  const spec = `file:${relative(project, tarball)}`;
  pkg.dependencies = { ...pkg.dependencies, hotwasm: spec };
  await writeFile(join(project, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  const packages: Record<string, unknown> = { "": { dependencies: pkg.dependencies, devDependencies: pkg.devDependencies } };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== "" && !entry.dev) packages[path] = entry;
  packages["node_modules/hotwasm"] = {
    version: own.version, resolved: spec, integrity: `sha512-${createHash("sha512").update(await readFile(tarball)).digest("base64")}`,
    license: own.license, dependencies: own.dependencies, bin: own.bin, engines: own.engines,
  };
  await writeFile(join(project, "package-lock.json"), `${JSON.stringify({ lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
  await run("npm", ["ci", "--offline", "--no-audit", "--no-fund"], project);
}

/** The environment without what `npm test` sets for its own package (npm_package_*, npm_config_local_prefix, ...),
 * so an npm run in the project works on the project; the npm cache setting stays. */
function outsideNpm(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) if (!/^npm_/i.test(key) || key.toLowerCase() === "npm_config_cache") out[key] = value;
  return out;
}
