/**
 * The whole path, as an operator and a client would walk it: a policy created
 * and activated through the admin API, a client and a trusted issuer, a token
 * exchanged, the issued JWT verified against the zone's published JWKS (found
 * through its RFC 8414 metadata), and the audit event and explanation checked.
 */
import { exports } from "cloudflare:workers";
import { createLocalJWKSet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { call, expectStatus, uniqueName } from "./helpers.js";
import { exchangeParams, expectIssued, newIssuer, ORIGIN, tokenRequest } from "./sts-helpers.js";

const PAYMENTS = `package payments

default allow := false

allow if {
  input.subject.claims.role == "payer"
  input.client.attributes.team == "payments"
}

deny contains "subject is suspended" if input.subject.claims.suspended

ttl := 300

scope := {"payments:read", "payments:write"}

claims := {"payer_tier": input.subject.claims.tier}
`;

async function getJson(url: string): Promise<any> {
  const res = await exports.default.fetch(new Request(url));
  expect(res.status).toBe(200);
  return res.json();
}

describe("the whole path", () => {
  it("policy → activation → exchange → JWKS-verified token → audit → explain", async () => {
    const zone = expectStatus(await call("POST", "/v1/zones", { name: uniqueName("prod") }), 201).id;
    const policy = expectStatus(await call("POST", `/v1/zones/${zone}/policies`, { name: "payments-policy", source: PAYMENTS }), 201);
    const pv = policy.versions[0].id;
    const set = expectStatus(await call("POST", `/v1/zones/${zone}/policy-sets`, { name: "production" }), 201).id;
    const psv = expectStatus(await call("POST", `/v1/zones/${zone}/policy-sets/${set}/versions`, { policy_version_ids: [pv] }), 201).id;
    expectStatus(await call("POST", `/v1/zones/${zone}/policy-sets/${set}/activate`, { version: psv }), 200);

    const created = expectStatus(
      await call("POST", `/v1/zones/${zone}/clients`, { name: "checkout", attributes: { team: "payments" } }),
      201,
    );
    const client = { id: created.id, secret: created.client_secret };
    const idp = await newIssuer();
    expectStatus(await call("POST", `/v1/zones/${zone}/issuers`, { issuer: idp.issuer, jwks: { keys: [idp.publicJwk] } }), 201);

    const subject = await idp.mint({ sub: "user-17", role: "payer", tier: "gold", scope: "payments:read profile" });
    const res = await tokenRequest(
      zone,
      client,
      exchangeParams(subject, { resource: "https://payments.example/api", scope: "payments:read payments:write" }),
    );
    const body = expectIssued(res);
    const requestId = res.headers.get("x-request-id")!;
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 300, scope: "payments:read payments:write" });

    // a verifier finds the keys through the zone's metadata and verifies with pinned ES256
    const metadata = await getJson(`${ORIGIN}/zones/${zone}/.well-known/oauth-authorization-server`);
    const jwks = await getJson(metadata.jwks_uri);
    const { payload, protectedHeader } = await jwtVerify(body.access_token, createLocalJWKSet(jwks), {
      algorithms: ["ES256"],
      issuer: metadata.issuer,
      audience: "https://payments.example/api",
    });
    expect(protectedHeader).toMatchObject({ alg: "ES256", typ: "at+jwt", kid: jwks.keys[0].kid });
    expect(payload).toMatchObject({
      iss: `${ORIGIN}/zones/${zone}`,
      sub: "user-17",
      aud: "https://payments.example/api",
      scope: "payments:read payments:write",
      client_id: client.id,
      zone,
      payer_tier: "gold",
    });
    expect(payload.exp! - payload.iat!).toBe(300);

    // the audit event: decision, determining policy version and rule location
    const audit = expectStatus(await call("GET", `/v1/zones/${zone}/audit?order=desc&limit=5`), 200);
    const event = audit.items.find((e: any) => e.request_id === requestId);
    expect(event).toMatchObject({
      decision: "allow",
      evaluation_status: "enforced",
      client_id: client.id,
      subject: { iss: idp.issuer, sub: "user-17" },
      policy_set_id: set,
      policy_set_version_id: psv,
      scope_granted: ["payments:read", "payments:write"],
      token_jti: payload.jti,
    });
    expect(event.determining_policies).toEqual([
      {
        policy_id: policy.id,
        policy_version_id: pv,
        policy_name: "payments-policy",
        rule: "data.payments.allow",
        location: { file: "payments-policy.rego", row: 5, col: 1 },
      },
    ]);

    // explain: the input, each policy with its outcome and the rules that fired
    const explained = expectStatus(await call("GET", `/v1/zones/${zone}/explain/${requestId}`), 200);
    expect(explained).toMatchObject({ request_id: requestId, decision: "allow", policy_set_version_id: psv, shadow: null });
    expect(explained.input.client).toEqual({ id: client.id, name: "checkout", attributes: { team: "payments" } });
    expect(explained.policies).toHaveLength(1);
    expect(explained.policies[0]).toMatchObject({ policy_name: "payments-policy", outcome: "allow", determining: true });
    expect(explained.policies[0].rules).toEqual(
      expect.arrayContaining([
        { rule: "data.payments.allow", locations: [{ file: "payments-policy.rego", row: 5, col: 1 }] },
        { rule: "data.payments.scope", locations: [{ file: "payments-policy.rego", row: 14, col: 1 }] },
      ]),
    );

    // a suspended subject is denied, and explain names the deny rule's line
    const denied = await tokenRequest(zone, client, exchangeParams(await idp.mint({ sub: "user-18", role: "payer", suspended: true })));
    expect(denied.status).toBe(403);
    const deniedExplained = expectStatus(await call("GET", `/v1/zones/${zone}/explain/${denied.headers.get("x-request-id")}`), 200);
    expect(deniedExplained.determining_policies).toEqual([
      expect.objectContaining({ rule: "data.payments.deny", location: { file: "payments-policy.rego", row: 10, col: 1 } }),
    ]);
    expect(deniedExplained.reasons).toEqual(["payments-policy: subject is suspended"]);
  });
});
