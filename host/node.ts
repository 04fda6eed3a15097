// The Node-only part of the runtime: `import { HostPool } from "hotwasm/node"`, plus everything
// of "hotwasm" itself.

export * from "./index.js";
export { HostPool, type HostPoolOptions } from "./pool/host-pool.js";
export type { SwapStats } from "./pool/run-swap.js";
