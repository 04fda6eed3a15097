// A patch built with `hotwasm patch`: it replaces main.status, builds strings and keeps a history
// in an array of its own, all on the base's allocator and collector.
//   npx hotwasm patch patches/status.ts --base build/app.wasm -o build/status.wasm

import { getGlobalValue } from "../assembly/index";

const history: string[] = [];

export function status(): string {
  history.push(getGlobalValue().toString());
  const recent = history.length > 3 ? history.slice(history.length - 3) : history;
  return "globalValue is " + getGlobalValue().toString() + " (asked " + history.length.toString() + " times; last: " + recent.join(", ") + ")";
}
