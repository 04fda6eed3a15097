// The live-patching page: runs web/assembly's Game of Life on the hotwasm host core (unmodified,
// in the browser), lists patchable functions and loaded patches, loads the example patches, and
// follows the dev server so that every save is patched in while the board keeps running.

import { connectDevServer, DEV_PATHS, Host } from "hotwasm";
import { showDevStatus, showPageError, wireReloadButton } from "./dev-banner.js";
import { startLife } from "./life-view.js";
import { createPatchPanel } from "./patch-panel.js";

const bytes = new Uint8Array(await (await fetch(DEV_PATHS.base)).arrayBuffer());
const host = await Host.instantiate(bytes);
const labels = new Map<string, string>();
const byId = (id: string) => document.getElementById(id)!;
const life = startLife(host, {
  canvas: byId("board") as HTMLCanvasElement, steps: byId("steps"), population: byId("population"), rule: byId("rule"),
  onTrap: (err) => showPageError(`a step trapped (${err instanceof Error ? err.message : String(err)}); unload the patch that did it`),
});
const panel = await createPatchPanel(host, labels);
wireReloadButton();
const dev = connectDevServer(host, {
  url: location.origin,
  name: `page ${Math.random().toString(36).slice(2, 6)}`,
  onStatus: (status) => {
    if (status.type === "applied" && status.hp_id) labels.set(status.hp_id, `dev patch ${status.patch.seq}`);
    showDevStatus(status);
    panel.refresh();
  },
});

/** For the browser's console (and tests): the host, the view and the dev client. */
(globalThis as { hotwasmPage?: unknown }).hotwasmPage = { host, life, dev };
