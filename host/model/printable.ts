// Text that reaches a terminal (the CLI's output, serve's and the dev server's logs) with every
// control character escaped: a name, a file or a message from a request or a patch cannot move
// the cursor, recolour, retitle or clear the operator's terminal, nor reorder it (bidi overrides).

// C0 (but tab and newline, kept where asked), DEL, C1, and the bidirectional controls.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with control characters as visible escapes (\x1b, \u202e); newlines kept when `keepNewlines`. */
export function printable(text: string, keepNewlines = false): string {
  return text.replace(CONTROL, (c) => {
    if (keepNewlines && (c === "\n" || c === "\t")) return c;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** JSON text with the characters JSON.stringify leaves raw but terminals obey (DEL, C1, bidi) escaped; still valid JSON. */
export function printableJson(json: string): string {
  return json.replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
