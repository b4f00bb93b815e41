/** Subject and actor token verification: signatures, algorithms, keys, time claims, issuers. */
import { SignJWT } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ALLOW_POLICY, call, expectStatus } from "./helpers.js";
import { exchangeParams, expectIssued, expectOAuthError, newIssuer, stsFixture, tokenRequest, trustIssuer } from "./sts-helpers.js";

const b64url = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const now = () => Math.floor(Date.now() / 1000);

async function rejected(f: Awaited<ReturnType<typeof stsFixture>>, subjectToken: string, pattern: RegExp) {
  const body = expectOAuthError(await tokenRequest(f.zone, f.client, exchangeParams(subjectToken)), 400, "invalid_request");
  expect(body.error_description).toMatch(pattern);
  // descriptions never quote the token
  expect(body.error_description).not.toContain(subjectToken.slice(0, 20));
}

describe("subject token verification", () => {
  it("checks exp, nbf and iat with 60 s of leeway", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    await rejected(f, await f.idp.mint({ role: "payer", exp: now() - 120 }), /expired/);
    expectIssued(await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ role: "payer", exp: now() - 30 }))));
    await rejected(f, await f.idp.mint({ role: "payer", nbf: now() + 120 }), /not valid yet/);
    expectIssued(await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ role: "payer", nbf: now() + 30 }))));
    await rejected(f, await f.idp.mint({ role: "payer", iat: now() + 300 }), /future/);
    await rejected(f, await f.idp.mint({ role: "payer", exp: undefined }), /exp claim is missing/);
  });

  it("rejects a token signed by another key under the issuer's kid", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const impostor = await newIssuer("ES256", f.idp.issuer);
    await rejected(f, await impostor.mint({ role: "payer" }, { kid: f.idp.kid }), /signature does not verify/);
  });

  it("never accepts alg none", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const unsigned = `${b64url({ alg: "none", kid: f.idp.kid })}.${b64url({ iss: f.idp.issuer, sub: "alice", role: "payer", exp: now() + 300 })}.`;
    await rejected(f, unsigned, /alg none/);
  });

  it("refuses HS256 signed with the issuer's public key as the HMAC secret", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const secret = new TextEncoder().encode(JSON.stringify(f.idp.publicJwk));
    const forged = await new SignJWT({ iss: f.idp.issuer, sub: "alice", role: "payer", exp: now() + 300 })
      .setProtectedHeader({ alg: "HS256", kid: f.idp.kid })
      .sign(secret);
    await rejected(f, forged, /HMAC/);
  });

  it("requires a kid that the issuer publishes", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    await rejected(f, await f.idp.mint({ role: "payer" }, { kid: "no-such-kid" }), /no key of its issuer/);
    const withoutKid = await new SignJWT({ iss: f.idp.issuer, sub: "alice", exp: now() + 300 })
      .setProtectedHeader({ alg: "ES256" })
      .sign(f.idp.privateKey);
    await rejected(f, withoutKid, /no kid/);
  });

  it("rejects untrusted issuers, missing sub and tokens that are not JWTs", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const stranger = await newIssuer();
    await rejected(f, await stranger.mint({ role: "payer" }), /not trusted/);
    await rejected(f, await f.idp.mint({ role: "payer", sub: undefined }), /sub claim is missing/);
    await rejected(f, "opaque-reference-token", /not a signed JWT/);
  });

  it("accepts RS256 and EdDSA issuers", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    for (const alg of ["RS256", "EdDSA"]) {
      const idp = await newIssuer(alg);
      await trustIssuer(f.zone, idp);
      expectIssued(await tokenRequest(f.zone, f.client, exchangeParams(await idp.mint({ role: "payer" }))));
    }
  });

  it("enforces an issuer's pinned audience", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const idp = await newIssuer();
    await trustIssuer(f.zone, idp, { audience: "caracal" });
    await rejected(f, await idp.mint({ role: "payer" }), /aud/);
    await rejected(f, await idp.mint({ role: "payer", aud: "someone-else" }), /aud/);
    expectIssued(await tokenRequest(f.zone, f.client, exchangeParams(await idp.mint({ role: "payer", aud: ["x", "caracal"] }))));
  });

  it("verifies actor tokens the same way", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const subject = await f.idp.mint({ role: "payer" });
    const res = await tokenRequest(
      f.zone,
      f.client,
      exchangeParams(subject, {
        actor_token: await f.idp.mint({ sub: "svc", exp: now() - 600 }),
        actor_token_type: "urn:ietf:params:oauth:token-type:jwt",
      }),
    );
    expect(expectOAuthError(res, 400, "invalid_request").error_description).toMatch(/^actor_token has expired/);
  });
});

describe("issuers with a jwks_uri", () => {
  afterEach(() => vi.restoreAllMocks());

  it("fetches the JWKS when the issuer is added and when tokens are verified, and 503s when it is unreachable", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const [idp, later] = [await newIssuer(), await newIssuer()];
    const uriOf = (i: { issuer: string }) => `${i.issuer}/jwks.json`;
    const published = new Map([idp, later].map((i) => [uriOf(i), i.publicJwk]));
    let reachable = true;
    const realFetch = globalThis.fetch;
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      const key = published.get(url);
      if (!key) return realFetch(input, init);
      return reachable ? Response.json({ keys: [key] }) : new Response("down", { status: 502 });
    });
    const jwksFetches = () =>
      fetchSpy.mock.calls.filter(([input]) => published.has(input instanceof Request ? input.url : String(input))).length;
    for (const i of [idp, later])
      expectStatus(await call("POST", `/v1/zones/${f.zone}/issuers`, { issuer: i.issuer, jwks_uri: uriOf(i) }), 201);
    expect(jwksFetches()).toBe(2);

    expectIssued(await tokenRequest(f.zone, f.client, exchangeParams(await idp.mint({ role: "payer" }))));
    expect(jwksFetches()).toBe(3);
    // cached: a second exchange does not fetch again
    expectIssued(await tokenRequest(f.zone, f.client, exchangeParams(await idp.mint({ role: "payer" }))));
    expect(jwksFetches()).toBe(3);
    // an unknown kid right after a fetch is refused without refetching (jose's 30 s cooldown)
    const impostor = await newIssuer("ES256", idp.issuer);
    expectOAuthError(await tokenRequest(f.zone, f.client, exchangeParams(await impostor.mint({ role: "payer" }))), 400, "invalid_request");
    expect(jwksFetches()).toBe(3);

    // an issuer whose keys cannot be fetched is not the client's fault
    reachable = false;
    expectOAuthError(
      await tokenRequest(f.zone, f.client, exchangeParams(await later.mint({ role: "payer" }))),
      503,
      "temporarily_unavailable",
    );
  });

  it("refuses a jwks_uri that is not https, or that does not answer with public keys", async () => {
    const f = await stsFixture([]);
    const idp = await newIssuer();
    const refused = (body: unknown) => call("POST", `/v1/zones/${f.zone}/issuers`, body).then((r) => expect(r.status).toBe(422));
    await refused({ issuer: idp.issuer, jwks_uri: "http://idp.example/jwks.json" });
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => Response.json({ keys: [{ kty: "oct", k: "c2VjcmV0", kid: "x" }] }));
    await refused({ issuer: idp.issuer, jwks_uri: "https://idp.example/jwks.json" });
  });
});
