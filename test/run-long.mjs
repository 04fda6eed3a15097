#!/usr/bin/env node
// Long budgets of the reliability tests, outside `npm test`:
//   npm run fuzz  -- [--cases N] [--seed S]    malformed patches, admin requests and admin JSON (test/host/fuzz*.test.ts, test/host/admin/fuzz-admin*.test.ts)
//   npm run model -- [--runs N] [--seed S]     random operation sequences against the model
//   npm run kill  -- [--rounds N] [--seed S]   SIGKILL of a real serve process at random times
//   npm run corpus                             hotwasm diff on every corpus program under every runtime
// Each runs the same test file as `npm test` with a larger budget and prints its figures.

import { spawnSync } from "node:child_process";

const SUITES = {
  fuzz: { files: ["test/host/fuzz.test.ts", "test/host/admin/fuzz-admin.test.ts", "test/host/admin/fuzz-admin-json.test.ts"], budget: ["--cases", "HOTWASM_FUZZ_CASES", "100000"], seed: "HOTWASM_FUZZ_SEED" },
  model: { files: ["test/host/model.test.ts"], budget: ["--runs", "HOTWASM_MODEL_RUNS", "2000"], seed: "HOTWASM_MODEL_SEED" },
  kill: { files: ["test/cli/serve-reliability.test.ts", "-t", "random"], budget: ["--rounds", "HOTWASM_KILL_ROUNDS", "100"], seed: "HOTWASM_KILL_SEED", build: true },
  corpus: { files: ["test/compiler/diff/corpus-diff.test.ts"], budget: ["--full", "HOTWASM_CORPUS_FULL", "1"], seed: "HOTWASM_CORPUS_SEED" },
};

const [name, ...args] = process.argv.slice(2);
const suite = SUITES[name];
if (!suite) {
  console.error(`usage: node test/run-long.mjs ${Object.keys(SUITES).join("|")} [--cases|--runs|--rounds N] [--seed S]`);
  process.exit(2);
}
const env = { ...process.env, [suite.budget[1]]: suite.budget[2] };
for (let i = 0; i < args.length; i += 2) {
  const [flag, value] = [args[i], args[i + 1]];
  if (!/^\d+$/.test(value ?? "")) { console.error(`${flag} needs a whole number`); process.exit(2); }
  if (flag === suite.budget[0]) env[suite.budget[1]] = value;
  else if (flag === "--seed") env[suite.seed] = value;
  else { console.error(`unknown option ${flag}`); process.exit(2); }
}
const run = (cmd, argv) => spawnSync(cmd, argv, { stdio: "inherit", env, shell: process.platform === "win32" }).status ?? 1;
if (suite.build && run("npm", ["run", "build:ts"]) !== 0) process.exit(1);
process.exit(run("npx", ["vitest", "run", ...suite.files]));
