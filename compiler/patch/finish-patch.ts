// The last steps of every linked patch (`hotwasm patch`, `hotwasm diff`): relocate the two
// builds' cuts into one position-independent module, add safepoint polls, stamp it with what the
// host needs, check it against the base exactly as a load would (check-fit.ts), and only then
// write it.

import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Manifest } from "../../host/model/manifest.js";
import { encodePatchMeta, PATCH_SECTION, type PatchMeta } from "../../host/model/patch-meta.js";
import { appendCustomSection } from "../common/custom-section.js";
import type { ProjectRoot } from "../common/project-root.js";
import { relocatePatch } from "./relocate-patch.js";
import { addPatchSafepoints } from "./patch-safepoints.js";
import type { ProgramCut } from "./cut-program.js";
import { checkPatchFits } from "./check-fit.js";
import { Steps } from "../common/steps.js";

/** A built patch. */
export interface PatchBuildResult {
  binary: Uint8Array;
  meta: PatchMeta;
  outFile: string | null;
}

/** What to finish. */
export interface FinishOptions {
  base: Uint8Array;
  manifest: Manifest;
  /** The cuts of the two relocation builds. */
  a: ProgramCut;
  b: ProgramCut;
  /** What the patch was made from, for people. */
  source: string;
  safepoints?: boolean;
  /** Where to write it (relative to the root, or absolute); none: nowhere. */
  outFile?: string;
  root: ProjectRoot;
  /** Times the steps (relocate, check, write). */
  steps?: Steps;
  /** The shadow fields the patch brings ("file/Class.field"), if any. */
  shadowFields?: readonly string[];
}

/** Relocates, stamps, checks and writes. */
export async function finishPatch(o: FinishOptions): Promise<PatchBuildResult> {
  const { manifest, a, b } = o;
  const steps = o.steps ?? new Steps();
  const flags = manifest.compiler.flags;
  const relocated = steps.timeSync("relocate", () => relocatePatch(a, b, {
    optimize: Number(flags.optimizeLevel ?? 0), shrink: Number(flags.shrinkLevel ?? 0), keepRtti: a.classes.added.length > 0,
    base: o.base, classCount: manifest.classes.length, baseMemoryBase: Number(flags.memoryBase ?? 0),
  }));
  const code = o.safepoints === false ? relocated.binary : steps.timeSync("safepoints", () => addPatchSafepoints(relocated.binary, manifest).binary);
  const meta: PatchMeta = {
    hotwasm: 1,
    base_build_id: manifest.buildId,
    replace_config: a.replace,
    source: o.source,
    compiler: { version: manifest.compiler.version, flags: manifest.compiler.flags },
    link: {
      data_size: relocated.data.size,
      memory_relocs: relocated.data.memoryRelocs,
      table_relocs: relocated.data.tableRelocs,
      table_size: relocated.tableSize,
      rtti_offset: relocated.rttiOffset,
      classes: a.classes.added.map((c) => ({ id: c.id, name: c.name })),
      base_classes: a.classes.baseCount,
      ...(o.shadowFields && o.shadowFields.length > 0 ? { shadow_fields: [...o.shadowFields] } : {}),
    },
  };
  const binary = appendCustomSection(code, PATCH_SECTION, encodePatchMeta(meta));
  steps.timeSync("check", () => checkPatchFits(o.base, binary));
  let outFile: string | null = null;
  if (o.outFile) {
    const file = resolve(o.root.dir, o.outFile);
    await steps.time("write", async () => {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, binary);
    });
    outFile = file;
  }
  return { binary, meta, outFile };
}
