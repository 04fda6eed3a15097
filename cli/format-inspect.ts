// Text for people: a base build's manifest and a patch's bindings.

import type { Manifest } from "../host/model/manifest.js";
import { isOwnFunction } from "../host/model/function-counts.js";
import type { PatchMeta } from "../host/model/patch-meta.js";
import { formatFuncType, type ModuleInfo } from "../host/wasm/wasm-reader.js";

/** The manifest as a report; `all` includes library functions and globals. */
export function formatManifest(m: Manifest, all: boolean): string {
  const own = (name: string) => all || isOwnFunction(name);
  const patchable = m.functions.filter((f) => f.slot !== null && own(f.name));
  const hooks = m.functions.filter((f) => f.slot !== null && !own(f.name));
  const fixed = m.functions.filter((f) => f.slot === null && own(f.name));
  const lines = [
    `patchable build ${m.buildId}`,
    `  compiler   ${m.compiler.name} ${m.compiler.version} (runtime ${m.compiler.flags.runtime}, -O${m.compiler.flags.optimizeLevel}s${m.compiler.flags.shrinkLevel})`,
    `  entries    ${m.entries.join(", ")}`,
    `  table      ${m.table.size} slots, patchable from ${m.table.firstSlot}`,
    `  arena      ${m.arena.size} bytes at ${m.arena.start}`,
    `  safepoints ${m.safepoints ? `${m.safepoints.mode}, a poll every ${m.safepoints.interval} sites (${m.safepoints.sites.entries} entries, ${m.safepoints.sites.loops} loops)` : "off"}`,
    "",
    `patchable functions (${patchable.length})`,
    ...table(patchable.map((f) => [`#${f.slot}`, f.name, f.signature ?? formatFuncType(f)])),
  ];
  if (hooks.length > 0) lines.push("", `runtime hooks patches may replace (${hooks.length}): ${hooks.map((f) => f.name).join(", ")}`);
  if (fixed.length > 0) {
    lines.push("", `not patchable (${fixed.length}${all ? "" : " of the program's own; --all lists the rest"})`);
    lines.push(...table(fixed.map((f) => [f.name, f.reason ?? ""])));
  }
  const globals = m.globals.filter((g) => own(g.name));
  lines.push("", `globals (${globals.length}${all ? "" : ` of ${m.globals.length}; --all lists the rest`})`);
  lines.push(...table(globals.map((g) => [g.name, `${g.mutable ? "mut " : ""}${g.type}`])));
  return lines.join("\n");
}

/** A patch: what it was built for, what it imports and exports. */
export function formatPatch(file: string, info: ModuleInfo, meta: PatchMeta | null): string {
  const lines = [`patch ${file}`];
  lines.push(`  base build ${meta?.base_build_id ?? "(not stated: any base)"}`);
  if (meta?.replace_config) lines.push(`  replaces   ${Object.entries(meta.replace_config).map(([k, v]) => `${k} -> ${v}`).join(", ")}`);
  if (meta?.ref_config) lines.push(`  refs       ${Object.entries(meta.ref_config).map(([k, v]) => `${k} -> ${v}`).join(", ")}`);
  lines.push("", "imports");
  lines.push(...table(info.imports.map((i) => [`${i.module}.${i.name}`, i.kind, i.func ? formatFuncType(i.func) : i.global ? `${i.global.mutable ? "mut " : ""}${i.global.type}` : ""])));
  lines.push("", "exports");
  lines.push(...table(info.exports.map((e) => [e.name, e.kind, e.kind === "function" ? formatFuncType(info.functions[e.index]!) : ""])));
  return lines.join("\n");
}

function table(rows: string[][]): string[] {
  if (rows.length === 0) return ["  (none)"];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => `  ${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join("  ")}`.trimEnd());
}
