// Server-Sent Events as the dev client reads them: events split anywhere across chunks, several
// data lines, CRLF line ends, comments and unnamed events.

import { expect, test } from "vitest";
import { readEventStream, type StreamEvent } from "../../../host/dev/event-stream.js";

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({ start(c) { for (const chunk of chunks) c.enqueue(encoder.encode(chunk)); c.close(); } });
}

test("events come out whole however the stream is cut", async () => {
  const text = `: ping\n\nevent: patch\ndata: {"a":1}\n\nevent: problem\r\ndata: line one\r\ndata: line two\r\n\r\ndata: plain\n\nevent: cut\ndata: never ended`;
  for (const size of [1, 3, 7, text.length]) {
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
    const events: StreamEvent[] = [];
    await readEventStream(streamOf(chunks), (e) => events.push(e));
    expect(events).toEqual([
      { event: "patch", data: `{"a":1}` },
      { event: "problem", data: "line one\nline two" },
      { event: "message", data: "plain" },
    ]);
  }
});
