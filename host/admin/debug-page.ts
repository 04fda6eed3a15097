// The /hpdebug page as HTML: server-rendered, every value escaped, no scripts, readable without
// styles. The same content is served as JSON with ?format=json.

import type { DebugState } from "./debug-state.js";
import type { HostEvent } from "../model/events.js";
import type { HPInfo } from "../core/host.js";

/** Renders the debug page. */
export function renderDebugPage(state: DebugState): string {
  const { base } = state;
  const flags = Object.entries(base.flags).map(([k, v]) => `${k}=${String(v)}`).join(", ");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hotwasm debug</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse;margin-bottom:1.5em}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}code{font-size:13px}.off{color:#888}</style>
</head><body>
<h1>hotwasm</h1>
<h2>Base build</h2>
${table(["build id", "compiler", "flags", "patchable functions"], [[code(base.build_id), esc(base.compiler), esc(flags), `${base.patchable_functions} of ${base.functions}`]])}
<h2>Loaded patches (stack order, oldest first)</h2>
${state.patches.length === 0 ? "<p>none</p>" : table(["#", "hp_id", "file", "replaces", "refs", "policy", "loaded"], state.patches.map(patchRow))}
<h2>Patched functions</h2>
${state.functions.length === 0 ? "<p>none</p>" : table(["function", "patches, oldest first (the last is in force)"], state.functions.map((f) => [code(f.symbol), f.stack.map((id, i) => (i === f.stack.length - 1 ? `<b>${code(short(id))}</b> (in force)` : `<span class="off">${code(short(id))}</span>`)).join(" → ")]))}
<h2>Retained patches</h2>
${state.retained.length === 0 ? "<p>none</p>" : table(["hp_id", "file", "reason"], state.retained.map((p) => [code(p.hp_id), esc(p.config.hp_file || "(bytes)"), esc(p.retained_reason ?? "")]))}
<h2>Rolled back</h2>
${state.rolled_back.length === 0 ? "<p>none</p>" : table(["hp_id", "file", "when", "reason"], state.rolled_back.map((p) => [code(p.hp_id), esc(p.config.hp_file || "(bytes)"), esc(p.rolled_back?.at ?? ""), esc(p.rolled_back?.reason ?? "")]))}
<h2>JSON-RPC methods</h2>
${table(["method", "calls"], state.services.flatMap((s) => s.methods.map((m) => [code(m.name), String(m.calls)])))}
<h2>Recent events</h2>
${state.events.length === 0 ? "<p>none</p>" : table(["#", "time", "event", "patch", "detail"], state.events.slice().reverse().map(eventRow))}
<p class="off">JSON: <a href="?format=json">?format=json</a></p>
</body></html>
`;
}

function patchRow(p: HPInfo): string[] {
  const replaces = p.replaces.map((r) => `${code(r.export)} → ${code(r.symbol)}${r.in_force ? " (in force)" : ' <span class="off">(shadowed)</span>'}`).join("<br>") || "nothing";
  const refs = p.refs.map((r) => `${code(r.name)} → ${code(r.symbol)}`).join("<br>") || "none";
  const policy = p.policy ? `at most ${p.policy.max_traps} traps in ${p.policy.window_ms} ms; ${p.traps ?? 0} so far` : "none";
  return [String(p.order), code(p.hp_id), esc(p.config.hp_file || "(bytes)"), replaces, refs, esc(policy), esc(p.loaded_at)];
}

function eventRow(e: HostEvent): string[] {
  const { seq, time, type, ...rest } = e as HostEvent & Record<string, unknown>;
  const id = typeof rest.hp_id === "string" ? rest.hp_id : "";
  delete rest.hp_id;
  const detail = Object.entries(rest).map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join("; ");
  return [String(seq), esc(new Date(time).toISOString()), esc(type), id ? code(short(id)) : "", esc(detail)];
}

function table(head: string[], rows: string[][]): string {
  return `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>\n${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("\n")}</table>`;
}

function short(id: string): string {
  return id.slice(0, 12);
}

function code(text: string): string {
  return `<code>${esc(text)}</code>`;
}

/** Escapes text for HTML element content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
