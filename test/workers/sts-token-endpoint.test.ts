/** The token endpoint's protocol surface: RFC 8693 parameters, RFC 6749 client authentication and errors. */
import { describe, expect, it } from "vitest";
import { ALLOW_POLICY, call, expectStatus, newZone } from "./helpers.js";
import {
  ACCESS_TOKEN_TYPE,
  basicAuth,
  exchangeParams,
  expectIssued,
  expectOAuthError,
  GRANT,
  JWT_TYPE,
  newClient,
  payloadOf,
  stsFixture,
  tokenRequest,
} from "./sts-helpers.js";

describe("token endpoint: success shape", () => {
  it("issues a zone-signed JWT with client_secret_basic and with client_secret_post", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const subject = await f.idp.mint({ role: "payer" });
    for (const auth of ["basic", "post"] as const) {
      const res = await tokenRequest(f.zone, f.client, exchangeParams(subject), { auth });
      const body = expectIssued(res);
      expect(body).toEqual({
        access_token: expect.any(String),
        issued_token_type: ACCESS_TOKEN_TYPE,
        token_type: "Bearer",
        expires_in: 900,
      });
      expect(res.headers.get("pragma")).toBe("no-cache");
      expect(res.headers.get("x-request-id")).toMatch(/^req-[a-z0-9]{16}$/);
      const claims = payloadOf(body.access_token);
      expect(claims).toMatchObject({ iss: f.issuer, sub: "alice", aud: f.client.id, client_id: f.client.id, zone: f.zone, scope: "" });
      expect(claims.exp - claims.iat).toBe(900);
      expect(claims.jti).toEqual(expect.any(String));
    }
  });

  it("echoes a client-given X-Request-Id and issues a plain JWT when asked for one", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const res = await tokenRequest(
      f.zone,
      f.client,
      exchangeParams(await f.idp.mint({ role: "payer" }), { requested_token_type: JWT_TYPE }),
      {
        headers: { "x-request-id": "trace-42" },
      },
    );
    expect(expectIssued(res).issued_token_type).toBe(JWT_TYPE);
    expect(res.headers.get("x-request-id")).toBe("trace-42");
    const header = JSON.parse(atob(res.body.access_token.split(".")[0]));
    expect(header).toMatchObject({ alg: "ES256", typ: "JWT", kid: expect.any(String) });
  });

  it("accepts access_token and id_token subject token types and repeated resource/audience", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const subject = await f.idp.mint({ role: "payer" });
    for (const type of [ACCESS_TOKEN_TYPE, "urn:ietf:params:oauth:token-type:id_token"]) {
      expectIssued(await tokenRequest(f.zone, f.client, exchangeParams(subject, { subject_token_type: type })));
    }
    const res = await tokenRequest(
      f.zone,
      f.client,
      exchangeParams(subject, { resource: ["https://api.example/a", "https://api.example/b"], audience: ["ledger", "ledger"] }),
    );
    expect(payloadOf(expectIssued(res).access_token).aud).toEqual(["https://api.example/a", "https://api.example/b", "ledger"]);
  });
});

describe("token endpoint: malformed requests", () => {
  it("rejects missing parameters with invalid_request", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const subject = await f.idp.mint({ role: "payer" });
    const cases: Record<string, string | undefined>[] = [
      { subject_token: subject, subject_token_type: JWT_TYPE },
      { grant_type: GRANT, subject_token_type: JWT_TYPE },
      { grant_type: GRANT, subject_token: subject },
      { ...exchangeParams(subject), actor_token: subject } as Record<string, string>,
      { ...exchangeParams(subject), actor_token_type: JWT_TYPE } as Record<string, string>,
      // an empty value counts as absent (RFC 6749 §3.2)
      { grant_type: GRANT, subject_token: "", subject_token_type: JWT_TYPE },
    ];
    for (const params of cases) expectOAuthError(await tokenRequest(f.zone, f.client, params), 400, "invalid_request");
  });

  it("rejects repeated single-valued parameters with invalid_request", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const subject = await f.idp.mint({ role: "payer" });
    for (const repeated of [
      { grant_type: [GRANT, GRANT] },
      { subject_token: [subject, subject] },
      { scope: ["a", "b"] },
      { requested_token_type: [JWT_TYPE, JWT_TYPE] },
    ]) {
      const res = await tokenRequest(f.zone, f.client, { ...exchangeParams(subject), ...repeated });
      expect(expectOAuthError(res, 400, "invalid_request").error_description).toMatch(/must not be repeated/);
    }
  });

  it("rejects another grant type with unsupported_grant_type", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const res = await tokenRequest(f.zone, f.client, { ...exchangeParams(await f.idp.mint()), grant_type: "client_credentials" });
    expectOAuthError(res, 400, "unsupported_grant_type");
  });

  it("rejects unsupported token types, bad targets and bad scopes", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const subject = await f.idp.mint({ role: "payer" });
    const send = (extra: Record<string, string | string[]>) => tokenRequest(f.zone, f.client, exchangeParams(subject, extra));
    expectOAuthError(await send({ subject_token_type: "urn:ietf:params:oauth:token-type:saml2" }), 400, "invalid_request");
    expectOAuthError(await send({ requested_token_type: "urn:ietf:params:oauth:token-type:id_token" }), 400, "invalid_request");
    expectOAuthError(await send({ resource: "not a uri" }), 400, "invalid_target");
    expectOAuthError(await send({ resource: "https://api.example/#frag" }), 400, "invalid_target");
    expectOAuthError(await send({ scope: 'quote"d' }), 400, "invalid_scope");
  });

  it("rejects a body that is not form-encoded", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const res = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint()), {
      headers: { "content-type": "application/json" },
    });
    expectOAuthError(res, 400, "invalid_request");
  });
});

describe("token endpoint: client authentication", () => {
  const expectInvalidClient = (res: Awaited<ReturnType<typeof tokenRequest>>) => {
    const body = expectOAuthError(res, 401, "invalid_client");
    expect(res.headers.get("www-authenticate")).toMatch(/^Basic realm="caracal-sts"/);
    return body;
  };

  it("answers 401 invalid_client with WWW-Authenticate for missing, wrong or unknown credentials", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const params = exchangeParams(await f.idp.mint({ role: "payer" }));
    expectInvalidClient(await tokenRequest(f.zone, undefined, params));
    expectInvalidClient(await tokenRequest(f.zone, { id: f.client.id, secret: "cs_wrong" }, params));
    expectInvalidClient(await tokenRequest(f.zone, { id: f.client.id, secret: "cs_wrong" }, params, { auth: "post" }));
    expectInvalidClient(await tokenRequest(f.zone, { id: "cl-doesnotexist", secret: f.client.secret }, params));
    expectInvalidClient(await tokenRequest(f.zone, f.client, params, { auth: "none", headers: { authorization: "Basic !!!" } }));
  });

  it("answers a client of another zone exactly like an unknown client", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const otherZone = await newZone();
    const stranger = await newClient(otherZone);
    const params = exchangeParams(await f.idp.mint({ role: "payer" }));
    const foreign = expectInvalidClient(await tokenRequest(f.zone, stranger, params));
    const unknown = expectInvalidClient(await tokenRequest(f.zone, { id: "cl-doesnotexist", secret: stranger.secret }, params));
    expect(foreign).toEqual(unknown);
    // and a zone that does not exist gives the same answer
    expect(expectInvalidClient(await tokenRequest("zn-doesnotexist", stranger, params))).toEqual(unknown);
  });

  it("refuses two authentication methods at once", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const res = await tokenRequest(
      f.zone,
      f.client,
      { ...exchangeParams(await f.idp.mint()), client_secret: f.client.secret },
      { auth: "basic" },
    );
    expectOAuthError(res, 400, "invalid_request");
  });

  it("stops a disabled client and an old secret after rotation", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const params = exchangeParams(await f.idp.mint({ role: "payer" }));
    const rotated = expectStatus(await call("POST", `/v1/zones/${f.zone}/clients/${f.client.id}/rotate-secret`), 200);
    expect(rotated.client_secret).not.toBe(f.client.secret);
    expectInvalidClient(await tokenRequest(f.zone, f.client, params));
    const fresh = { id: f.client.id, secret: rotated.client_secret };
    expectIssued(await tokenRequest(f.zone, fresh, params));
    expect(expectStatus(await call("POST", `/v1/zones/${f.zone}/clients/${f.client.id}/disable`), 200).status).toBe("disabled");
    expectInvalidClient(await tokenRequest(f.zone, fresh, params));
  });

  it("decodes form-urlencoded HTTP Basic credentials", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const res = await tokenRequest(f.zone, undefined, exchangeParams(await f.idp.mint({ role: "payer" })), {
      headers: { authorization: basicAuth(f.client.id, f.client.secret) },
    });
    expectIssued(res);
  });
});
