// The imports the example app and its patches print through (they live in the host: `hotwasm serve` uses them too).

export { consoleImports } from "../host/core/console-imports.js";
