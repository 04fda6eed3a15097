// How the /hpdebug page shows values to people: durations in a unit that suits them (µs, ms, s)
// with two or three significant digits, times to the millisecond, and its style sheet, which
// follows the live page of `npm run web`; on a narrow screen each table row becomes a card.

/** A duration in milliseconds as text: "420 µs", "3.1 ms", "120 ms", "2.5 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return String(ms);
  if (ms < 0.0005) return "<1 µs";
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 10) return `${round(ms, 1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${round(ms / 1000, ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A point in time (ms since the epoch) as "2025-01-31 14:05:09.123" (UTC). */
export function formatTime(time: number): string {
  return new Date(time).toISOString().replace("T", " ").replace("Z", "");
}

/** The page's styles: the live page's colours, type and panels; tables scroll sideways when narrow. */
export const DEBUG_STYLE = `
:root { --bg: #0b0e1a; --panel: #141a2e; --line: #263052; --text: #e6e9f5; --muted: #8a93b8;
  --accent: #ffc857; --ok: #5ee6a8; --bad: #ff6b6b; --mono: ui-monospace, "DejaVu Sans Mono", monospace; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 15px/1.45 system-ui, "DejaVu Sans", sans-serif; }
header { padding: 18px 28px 6px; }
h1 { margin: 0; font-size: 22px; font-weight: 600; }
.brand { color: var(--accent); font-family: var(--mono); margin-right: 8px; }
.tagline { margin: 4px 0 0; color: var(--muted); }
main { display: grid; gap: 16px; padding: 14px 28px 28px; max-width: 1280px; }
section { min-width: 0; background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; margin: 0 0 8px; }
p { margin: 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { border-top: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { border-top: 0; color: var(--muted); font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: .08em; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.time { white-space: nowrap; font-family: var(--mono); font-size: 13px; }
code { font-family: var(--mono); font-size: 13px; overflow-wrap: anywhere; }
b code, .in-force { color: var(--accent); }
.off, .muted { color: var(--muted); }
.bad { color: var(--bad); }
a { color: var(--accent); }
@media (max-width: 640px) {
  body { font-size: 14px; }
  header, main { padding-left: 10px; padding-right: 10px; }
  section { padding: 10px 12px; }
  table, tbody, tr, td { display: block; width: 100%; }
  thead { display: none; }
  tr { border-top: 1px solid var(--line); padding: 6px 0; }
  tr:first-child { border-top: 0; }
  td { border: 0; padding: 2px 0; }
  td:empty { display: none; }
  td::before { content: attr(data-label); display: block; color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .08em; }
}
`;

function round(value: number, digits: number): string {
  return value.toFixed(digits).replace(/\.?0+$/, "");
}
