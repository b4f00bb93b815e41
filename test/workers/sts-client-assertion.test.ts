/**
 * private_key_jwt (RFC 7523 §2.2): a client registered with public keys
 * authenticates with a signed assertion — iss = sub = its id, aud the token
 * endpoint or the zone's issuer, a short exp, a jti used once — and has no
 * secret. Replays, wrong audiences, foreign keys and symmetric algorithms
 * are refused with 401 invalid_client.
 */
import { env, exports } from "cloudflare:workers";
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { describe, expect, it } from "vitest";
import { purgeExpiredAssertionJtis } from "../../workers/sts/client-auth.js";
import { call, expectProblem, expectStatus, uniqueName } from "./helpers.js";
import { exchangeParams, expectIssued, expectOAuthError, payloadOf, stsFixture, tokenRequest, type FormParams } from "./sts-helpers.js";

const ALLOW_ALL = `package assertion
allow := true
`;
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

async function keyClient(zone: string, alg = "ES256") {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = uniqueName("ck");
  const body = expectStatus(
    await call("POST", `/v1/zones/${zone}/clients`, {
      name: uniqueName("keyed"),
      jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg, use: "sig" }] },
    }),
    201,
  );
  return { id: body.id as string, body, kid, alg, privateKey };
}

type KeyClient = Awaited<ReturnType<typeof keyClient>>;

function assertion(
  client: KeyClient,
  aud: string,
  claims: JWTPayload = {},
  header: Record<string, unknown> = {},
  key?: CryptoKey | Uint8Array,
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: client.id, sub: client.id, aud, jti: crypto.randomUUID(), iat: now, exp: now + 60, ...claims })
    .setProtectedHeader({ alg: client.alg, kid: client.kid, ...header })
    .sign(key ?? client.privateKey);
}

function withAssertion(subjectToken: string, jwt: string, extra: FormParams = {}): FormParams {
  return exchangeParams(subjectToken, { client_assertion_type: ASSERTION_TYPE, client_assertion: jwt, ...extra });
}

describe("private_key_jwt", () => {
  it("registers a client with keys and no secret, and lists the method in the metadata", async () => {
    const fx = await stsFixture([ALLOW_ALL]);
    const client = await keyClient(fx.zone);
    expect(client.body.auth_method).toBe("private_key_jwt");
    expect(client.body.client_secret).toBeUndefined();
    expect(client.body.jwks.keys[0].kid).toBe(client.kid);
    const stored = await env.DB.prepare("SELECT secret_sha256 FROM clients WHERE id = ?")
      .bind(client.id)
      .first<{ secret_sha256: string }>();
    expect(stored?.secret_sha256).toBe("");
    expectProblem(await call("POST", `/v1/zones/${fx.zone}/clients/${client.id}/rotate-secret`), 409);
    const metadata = (await (
      await exports.default.fetch(new Request(`${fx.issuer}/.well-known/oauth-authorization-server`))
    ).json()) as Record<string, string[]>;
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(["client_secret_basic", "client_secret_post", "private_key_jwt"]);
    expect(metadata.token_endpoint_auth_signing_alg_values_supported).not.toContain("HS256");
  });

  it("authenticates with an assertion for the token endpoint or the issuer, ES256 and RS256", async () => {
    const fx = await stsFixture([ALLOW_ALL]);
    const es = await keyClient(fx.zone);
    const issued = expectIssued(
      await tokenRequest(fx.zone, undefined, withAssertion(await fx.idp.mint(), await assertion(es, `${fx.issuer}/oauth2/token`)), {
        auth: "none",
      }),
    );
    expect(payloadOf(issued.access_token).client_id).toBe(es.id);
    const rs = await keyClient(fx.zone, "RS256");
    expectIssued(
      await tokenRequest(fx.zone, undefined, withAssertion(await fx.idp.mint(), await assertion(rs, fx.issuer), { client_id: rs.id }), {
        auth: "none",
      }),
    );
  });

  it("refuses a replayed assertion: its jti is kept in D1 until the assertion expires, then purged", async () => {
    const fx = await stsFixture([ALLOW_ALL]);
    const client = await keyClient(fx.zone);
    const jwt = await assertion(client, `${fx.issuer}/oauth2/token`);
    expectIssued(await tokenRequest(fx.zone, undefined, withAssertion(await fx.idp.mint(), jwt), { auth: "none" }));
    const replay = await tokenRequest(fx.zone, undefined, withAssertion(await fx.idp.mint(), jwt), { auth: "none" });
    expect(expectOAuthError(replay, 401, "invalid_client").error_description).toMatch(/jti was already used \(replay\)/);
    const rows = await env.DB.prepare("SELECT jti, expires_at FROM client_assertion_jtis WHERE client_id = ?").bind(client.id).all();
    expect(rows.results).toHaveLength(1);
    const expiresAt = Date.parse(String(rows.results[0]?.expires_at));
    expect(expiresAt).toBeGreaterThan(Date.now());
    await purgeExpiredAssertionJtis(env, new Date(expiresAt - 1000));
    expect(await env.DB.prepare("SELECT count(*) AS n FROM client_assertion_jtis WHERE client_id = ?").bind(client.id).first("n")).toBe(1);
    await purgeExpiredAssertionJtis(env, new Date(expiresAt + 1000));
    expect(await env.DB.prepare("SELECT count(*) AS n FROM client_assertion_jtis WHERE client_id = ?").bind(client.id).first("n")).toBe(0);
  });

  it("refuses a wrong audience, iss ≠ sub, a foreign client_id, an expired or long-lived assertion, and a missing jti", async () => {
    const fx = await stsFixture([ALLOW_ALL]);
    const client = await keyClient(fx.zone);
    const endpoint = `${fx.issuer}/oauth2/token`;
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, FormParams, RegExp][] = [
      [await assertion(client, "https://other.example/token"), {}, /aud must name this token endpoint/],
      [await assertion(client, `${fx.issuer}x/oauth2/token`), {}, /aud must name/],
      [await assertion(client, endpoint, { iss: "cl-someoneelse" }), {}, /iss and sub must both be the client id/],
      [await assertion(client, endpoint), { client_id: "cl-someoneelse" }, /client_id differs/],
      [await assertion(client, endpoint, { iat: now - 900, exp: now - 600 }), {}, /expired/],
      [await assertion(client, endpoint, { exp: now + 3600 }), {}, /exp may be at most 300 seconds ahead/],
      [await assertion(client, endpoint, { jti: undefined }), {}, /jti is required/],
    ];
    for (const [jwt, extra, message] of cases) {
      const res = await tokenRequest(fx.zone, undefined, withAssertion(await fx.idp.mint(), jwt, extra), { auth: "none" });
      expect(expectOAuthError(res, 401, "invalid_client").error_description, String(message)).toMatch(message);
    }
  });

  it("refuses a signature by another key, HS256, alg none, an unknown client and a secret client presenting an assertion", async () => {
    const fx = await stsFixture([ALLOW_ALL]);
    const client = await keyClient(fx.zone);
    const endpoint = `${fx.issuer}/oauth2/token`;
    const other = await generateKeyPair("ES256");
    const forged = await assertion(client, endpoint, {}, {}, other.privateKey);
    const hs = await new SignJWT({ iss: client.id, sub: client.id, aud: endpoint, jti: "x", exp: Math.floor(Date.now() / 1000) + 60 })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode("a-shared-secret-of-32-bytes-long!"));
    const none = `${btoa(JSON.stringify({ alg: "none" })).replace(/=+$/, "")}.${btoa(
      JSON.stringify({ iss: client.id, sub: client.id, aud: endpoint, jti: "y", exp: Math.floor(Date.now() / 1000) + 60 }),
    ).replace(/=+$/, "")}.`;
    const unknown = await assertion({ ...client, id: "cl-doesnotexist1" }, endpoint);
    const secretClientAssertion = await assertion({ ...client, id: fx.client.id }, endpoint);
    for (const jwt of [forged, hs, none, unknown, secretClientAssertion]) {
      const res = await tokenRequest(fx.zone, undefined, withAssertion(await fx.idp.mint(), jwt), { auth: "none" });
      expectOAuthError(res, 401, "invalid_client");
    }
    expect(await env.DB.prepare("SELECT count(*) AS n FROM client_assertion_jtis WHERE client_id = ?").bind(client.id).first("n")).toBe(0);
  });

  it("allows one method per request, needs the assertion type, and a key client cannot use a secret", async () => {
    const fx = await stsFixture([ALLOW_ALL]);
    const client = await keyClient(fx.zone);
    const jwt = await assertion(client, `${fx.issuer}/oauth2/token`);
    const both = await tokenRequest(fx.zone, fx.client, withAssertion(await fx.idp.mint(), jwt));
    expect(expectOAuthError(both, 400, "invalid_request").error_description).toMatch(/one client authentication method/);
    const noType = await tokenRequest(fx.zone, undefined, exchangeParams(await fx.idp.mint(), { client_assertion: jwt }), { auth: "none" });
    expectOAuthError(noType, 400, "invalid_request");
    const asSecret = await tokenRequest(fx.zone, { id: client.id, secret: "" }, exchangeParams(await fx.idp.mint()), { auth: "post" });
    expectOAuthError(asSecret, 401, "invalid_client");
    const disabled = await keyClient(fx.zone);
    expectStatus(await call("POST", `/v1/zones/${fx.zone}/clients/${disabled.id}/disable`), 200);
    const res = await tokenRequest(fx.zone, undefined, withAssertion(await fx.idp.mint(), await assertion(disabled, fx.issuer)), {
      auth: "none",
    });
    expectOAuthError(res, 401, "invalid_client");
  });

  it("refuses unusable client keys at registration with 422, and both key sources at once with 400", async () => {
    const fx = await stsFixture([]);
    const { publicKey } = await generateKeyPair("ES256", { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: "k" };
    const bad = await call("POST", `/v1/zones/${fx.zone}/clients`, { name: uniqueName("c"), jwks: { keys: [{ ...jwk, y: jwk.x }] } });
    expect(expectProblem(bad, 422).detail).toMatch(/^the client's keys are unusable/);
    const secretKey = await call("POST", `/v1/zones/${fx.zone}/clients`, {
      name: uniqueName("c"),
      jwks: { keys: [{ kty: "oct", k: "c2VjcmV0", kid: "s" }] },
    });
    expectProblem(secretKey, 422);
    const both = await call("POST", `/v1/zones/${fx.zone}/clients`, {
      name: uniqueName("c"),
      jwks: { keys: [jwk] },
      jwks_uri: "https://keys.example/jwks.json",
    });
    expectProblem(both, 400);
  });
});
