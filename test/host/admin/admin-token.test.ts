// One rule for admin tokens, checked alike by the server's gate and by the client: a token the
// one accepts, the other accepts too; the refusals name what is wrong.

import { expect, test } from "vitest";
import { checkToken } from "../../../host/admin/admin-token.js";
import { createAdminClient } from "../../../host/admin/admin-client.js";
import { createAuthorizer } from "../../../host/node/admin-auth.js";

const refusal = (f: () => unknown) => {
  try {
    f();
    return null;
  } catch (err) {
    return `${(err as { code: string }).code}: ${(err as Error).message}`;
  }
};

test("tokens of 16 or more printable ASCII characters without spaces are accepted", () => {
  for (const token of ["0123456789abcdef", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "dGhpcyBpcyBhIHRva2VuLg==", "a-b_c.d~e+f/g:h!i@j#k$"]) {
    expect(refusal(() => checkToken(token))).toBeNull();
    expect(refusal(() => createAuthorizer({ token }))).toBeNull();
    expect(refusal(() => createAdminClient({ url: "http://127.0.0.1:1", token }))).toBeNull();
  }
});

test("the server and the client refuse the same tokens with the same message", () => {
  const cases: [string, string][] = [
    ["short", "E_ADMIN_CONFIG: the token has 5 characters; use at least 16"],
    ["correct horse battery staple", "E_ADMIN_CONFIG: the token has a space at position 8; a token is printable ASCII without spaces (e.g. openssl rand -hex 32)"],
    ["tab\tseparated-token-123", "E_ADMIN_CONFIG: the token has a space at position 4; a token is printable ASCII without spaces (e.g. openssl rand -hex 32)"],
    ["geheimes-passwört-123", "E_ADMIN_CONFIG: the token has a character that is not printable ASCII at position 15; a token is printable ASCII without spaces (e.g. openssl rand -hex 32)"],
  ];
  for (const [token, message] of cases) {
    expect([token, refusal(() => createAuthorizer({ token }))]).toEqual([token, message]);
    expect([token, refusal(() => createAdminClient({ url: "http://127.0.0.1:1", token }))]).toEqual([token, message]);
  }
  expect(refusal(() => checkToken("short", "the token in token.txt"))).toBe("E_ADMIN_CONFIG: the token in token.txt has 5 characters; use at least 16");
});
