// True when the calling module is the script Node was started with.

import { pathToFileURL } from "node:url";

/** `isMain(import.meta.url)`: run as a script, not imported. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}
