// The /hpdebug page as HTML: server-rendered, every value escaped, no scripts, styled like the
// live page of `npm run web` (debug-format.ts) and readable on a narrow screen. The same content
// is served as JSON with ?format=json.

import type { DebugState } from "./debug-state.js";
import type { HostEvent } from "../model/events.js";
import type { HPInfo } from "../core/host.js";
import { DEBUG_STYLE, formatDuration, formatTime } from "./debug-format.js";

/** Renders the debug page. */
export function renderDebugPage(state: DebugState): string {
  const { base } = state;
  const flags = Object.entries(base.flags).map(([k, v]) => `${k}=${String(v)}`).join(", ");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hotwasm debug</title>
<style>${DEBUG_STYLE}</style>
</head><body>
<header><h1><span class="brand">hotwasm</span> debug</h1><p class="tagline">The patches of this process, how they stack, and what happened lately.</p></header>
<main>
${section("Base build", table(["build id", "compiler", "flags", "patchable functions"], [[code(base.build_id), esc(base.compiler), esc(flags), `${base.patchable_functions} of ${base.functions}`]]))}
${section("Loaded patches <span class=\"muted\">(stack order, oldest first)</span>", state.patches.length === 0 ? none() : table(["#", "hp_id", "file", "replaces", "refs", "policy", "loaded"], state.patches.map(patchRow)))}
${section("Patched functions", state.functions.length === 0 ? none() : table(["function", "patches, oldest first (the last is in force)"], state.functions.map((f) => [code(f.symbol), f.stack.map((id, i) => (i === f.stack.length - 1 ? `<b>${code(short(id))}</b> (in force)` : `<span class="off">${code(short(id))}</span>`)).join(" → ")])))}
${section("Retained patches", state.retained.length === 0 ? none() : table(["hp_id", "file", "reason"], state.retained.map((p) => [code(p.hp_id), esc(p.config.hp_file || "(bytes)"), esc(p.retained_reason ?? "")])))}
${section("Rolled back", state.rolled_back.length === 0 ? none() : table(["hp_id", "file", "when", "reason"], state.rolled_back.map((p) => [code(p.hp_id), esc(p.config.hp_file || "(bytes)"), esc(p.rolled_back?.at ?? ""), esc(p.rolled_back?.reason ?? "")])))}
${section("JSON-RPC methods", table(["method", "calls"], state.services.flatMap((s) => s.methods.map((m) => [code(m.name), String(m.calls)]))))}
${section("Recent events <span class=\"muted\">(newest first)</span>", state.events.length === 0 ? none() : table(["#", "time (UTC)", "event", "patch", "detail"], state.events.slice().reverse().map(eventRow)))}
<p class="muted">JSON: <a href="?format=json">?format=json</a></p>
</main>
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
  const detail = Object.entries(rest).filter(([, v]) => v !== undefined).map(([k, v]) => `${esc(k)}: ${detailValue(k, v)}`).join("; ");
  return [String(seq), `<span class="time">${esc(formatTime(time))}</span>`, esc(type), id ? code(short(id)) : "", detail];
}

/** One detail of an event, for people: timings in readable units, lists joined. */
function detailValue(key: string, value: unknown): string {
  if (key === "timings" && typeof value === "object" && value !== null) {
    return Object.entries(value as Record<string, unknown>).map(([phase, ms]) => `${esc(phase)} ${typeof ms === "number" ? esc(formatDuration(ms)) : esc(String(ms))}`).join(", ");
  }
  if (Array.isArray(value)) return value.map((v) => code(String(v))).join(", ") || "none";
  return esc(typeof value === "string" ? value : String(JSON.stringify(value)));
}

function section(title: string, body: string): string {
  return `<section><h2>${title}</h2>\n${body}</section>`;
}

function none(): string {
  return '<p class="muted">none</p>';
}

/** A table; on a narrow screen each row becomes a card whose cells carry their column's name. */
function table(head: string[], rows: string[][]): string {
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td data-label="${esc(head[i] ?? "")}">${c}</td>`).join("")}</tr>`).join("\n");
  return `<div class="scroll"><table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead>\n<tbody>${body}</tbody></table></div>`;
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
