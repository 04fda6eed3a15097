// Safepoint polls in a patch, for a base built with them (`--safepoints`): the patch's own loops
// and, for every function that loops or calls, its entry count down the base's countdown global
// and call the base's poll, so a HostPool worker running patched code still reaches a safe point.
// The patch imports both as `hotwasm.poll` and `hotwasm.countdown` (host/link/bind-import.ts).

import binaryen from "binaryen";
import { findExpressions } from "../common/expression-children.js";
import { addPollSite } from "../base/insert-safepoints.js";
import { validateOrThrow, type Binaryen } from "../common/binaryen-util.js";
import type { Manifest } from "../../host/model/manifest.js";

const POLL = "hotwasm~poll";
const COUNTDOWN = "hotwasm~countdown";
const SLOW_PATH = "hotwasm~safepoint";

/** Where the polls went. */
export interface PatchSafepoints {
  entries: number;
  loops: number;
}

/** `binary` with polls as the base's safepoint mode asks; the same bytes when the base has none. */
export function addPatchSafepoints(binary: Uint8Array, manifest: Manifest): { binary: Uint8Array; sites: PatchSafepoints | null } {
  const safepoints = manifest.safepoints;
  if (!safepoints) return { binary, sites: null };
  const b = binaryen as unknown as Binaryen;
  const module = binaryen.readBinary(binary);
  try {
    module.setFeatures(binaryen.Features.All);
    const defined: string[] = [];
    for (let i = 0; i < module.getNumFunctions(); i++) {
      const info = b.getFunctionInfo(module.getFunctionByIndex(i));
      if (!info.module) defined.push(info.name);
    }
    module.addFunctionImport(POLL, safepoints.import.module, safepoints.import.name, b.none, b.none);
    module.addGlobalImport(COUNTDOWN, "hotwasm", "countdown", b.i32, true);
    const site = addPollSite(b, module, { poll: POLL, countdown: COUNTDOWN, slowPath: SLOW_PATH, interval: safepoints.interval });
    const loop = (b as unknown as { Loop: { getBody(e: number): number; setBody(e: number, body: number): void } }).Loop;
    const sites = { entries: 0, loops: 0 };
    const atLoops = safepoints.mode !== "entries";
    const atEntries = safepoints.mode !== "loops";
    for (const name of defined) {
      const fn = module.getFunction(name);
      const body = b.Function.getBody(fn);
      const loops = findExpressions(b, body, b.LoopId, name);
      // A function that neither loops nor calls finishes in bounded time: no entry poll.
      const calls = findExpressions(b, body, [b.CallId, b.CallIndirectId], name);
      if (atLoops) {
        for (const l of loops) loop.setBody(l, module.block(null, [site(), loop.getBody(l)], b.auto));
        sites.loops += loops.length;
      }
      if (atEntries && (loops.length > 0 || calls.length > 0)) {
        b.Function.setBody(fn, module.block(null, [site(), b.Function.getBody(fn)], b.auto));
        sites.entries++;
      }
    }
    validateOrThrow(module, "hotwasm patch safepoints", b);
    return { binary: module.emitBinary(), sites };
  } finally {
    module.dispose();
  }
}
