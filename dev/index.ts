// The dev loop, `import { startDevServer } from "hotwasm/dev"` (Node only): `hotwasm dev` as a library.

export { startDevServer, type DevServer, type DevServerOptions } from "./dev-server.js";
export { DevSession, RELOAD_HINT, type DevSessionOptions, type DevBase } from "./dev-session.js";
export { bundleForBrowser, NODE_MODULE, type BrowserBundle, type BrowserBundleOptions } from "./bundle-browser.js";
export { watchSources, type SourceWatcher } from "./watch-sources.js";
export { buildExamplePatches, type ExamplePatch } from "./example-patches.js";
