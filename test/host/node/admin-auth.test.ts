// The admin gate: a bearer token compared in constant time, loopback host names only without one,
// and no browser pages unless their origin is allowed.

import { expect, test } from "vitest";
import type { IncomingMessage } from "node:http";
import { HotwasmError } from "../../../host/errors.js";
import { createAuthorizer, isLoopbackName } from "../../../host/node/admin-auth.js";

const TOKEN = "s3cret-token-0123456789";

function outcome(gate: (req: IncomingMessage) => void, headers: Record<string, string>): string {
  try {
    gate({ headers: { host: "127.0.0.1:8080", ...headers } } as unknown as IncomingMessage);
    return "ok";
  } catch (err) {
    return err instanceof HotwasmError ? err.code : `not coded: ${String(err)}`;
  }
}

test("with a token: missing, malformed and wrong tokens are refused; the right one passes from any host name", () => {
  const gate = createAuthorizer({ token: TOKEN });
  expect(outcome(gate, {})).toBe("E_AUTH_REQUIRED");
  expect(outcome(gate, { authorization: "" })).toBe("E_AUTH_REQUIRED");
  expect(outcome(gate, { authorization: `Basic ${TOKEN}` })).toBe("E_AUTH_FAILED");
  expect(outcome(gate, { authorization: "Bearer wrong" })).toBe("E_AUTH_FAILED");
  expect(outcome(gate, { authorization: `Bearer ${TOKEN}x` })).toBe("E_AUTH_FAILED");
  expect(outcome(gate, { authorization: `Bearer ${TOKEN.slice(0, -1)}` })).toBe("E_AUTH_FAILED");
  expect(outcome(gate, { authorization: `Bearer ${TOKEN}` })).toBe("ok");
  expect(outcome(gate, { authorization: `bearer ${TOKEN}`, host: "admin.example:9000" })).toBe("ok");
});

test("without a token: loopback host names only (no DNS rebinding)", () => {
  const gate = createAuthorizer({});
  for (const host of ["127.0.0.1:8080", "localhost", "LOCALHOST:1", "[::1]:8080", "127.1.2.3", "app.localhost:3"]) expect([host, outcome(gate, { host })]).toEqual([host, "ok"]);
  for (const host of ["evil.example:8080", "10.0.0.1", "", "127.0.0.1.evil.example"]) expect([host, outcome(gate, { host })]).toEqual([host, "E_FORBIDDEN_ORIGIN"]);
});

test("browser pages are refused unless their origin is allowed", () => {
  expect(outcome(createAuthorizer({}), { origin: "http://evil.example" })).toBe("E_FORBIDDEN_ORIGIN");
  expect(outcome(createAuthorizer({ token: TOKEN }), { origin: "null", authorization: `Bearer ${TOKEN}` })).toBe("E_FORBIDDEN_ORIGIN");
  expect(outcome(createAuthorizer({ allowedOrigins: ["http://localhost:3000"] }), { origin: "http://localhost:3000" })).toBe("ok");
});

test("short tokens are refused when the gate is made; loopback names", () => {
  expect(() => createAuthorizer({ token: "short" })).toThrow(expect.objectContaining({ code: "E_ADMIN_CONFIG" }));
  expect(["127.0.0.1", "::1", "[::1]", "localhost", "0.0.0.0", "192.168.1.2", "::"].map(isLoopbackName)).toEqual([true, true, true, true, false, false, false]);
});
