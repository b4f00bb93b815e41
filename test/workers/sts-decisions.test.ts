/**
 * Decisions (docs/architecture.md §4): first policy that does not deny wins, obligations,
 * no active set, fail-closed evaluation errors, shadow evaluation, and the
 * audit events and explanations they leave.
 */
import { describe, expect, it } from "vitest";
import { ALLOW_POLICY, call, expectStatus } from "./helpers.js";
import { auditOf, exchangeParams, expectIssued, expectOAuthError, explain, payloadOf, stsFixture, tokenRequest } from "./sts-helpers.js";

const STRICT = `package strict

default allow := false

allow if input.client.attributes.team == "payments"

deny contains "subject is blocked" if input.subject.claims.blocked
`;

const FALLBACK = `package fallback

allow if input.subject.claims.role == "payer"

ttl := 60
`;

const OBLIGATIONS = `package obligations

allow := true

ttl := 120

scope := {"read", "write"}

claims := {
  "tier": "gold",
  "sub": "mallory", "iss": "https://evil.example", "aud": "evil", "exp": 1, "iat": 1, "nbf": 1, "jti": "x",
  "act": {"sub": "mallory"}, "scope": "admin", "client_id": "cl-evil", "zone": "zn-evil",
}
`;

const DIVIDES_BY_INPUT = `package broken

allow if 10 / input.subject.claims.divisor > 1
`;

const SPINS = `package spin

allow if {
  count([x | some i in numbers.range(1, 2000); some j in numbers.range(1, 2000); x := i * j]) > 0
}
`;

const LOCKDOWN = `package lockdown

allow := true

deny contains "lockdown in effect"
`;

describe("policy-set decisions", () => {
  it("lets the first policy that does not deny decide, with its obligations", async () => {
    const f = await stsFixture([STRICT, FALLBACK]);
    const [strict, fallback] = f.activation!.versions;

    // the first policy allows: its (absent) ttl applies, not the fallback's
    const first = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint()));
    expect(expectIssued(first).expires_in).toBe(900);
    const [firstEvent] = await auditOf(f.zone, first.headers.get("x-request-id")!);
    expect(firstEvent).toMatchObject({
      decision: "allow",
      evaluation_status: "enforced",
      policy_set_version_id: f.activation!.psv,
      reasons: [],
    });
    expect(firstEvent.determining_policies).toEqual([
      {
        policy_id: strict!.id,
        policy_version_id: strict!.versionId,
        policy_name: expect.any(String),
        rule: "data.strict.allow",
        location: { file: `${firstEvent.determining_policies[0].policy_name}.rego`, row: 5, col: 1 },
      },
    ]);

    // the first policy denies (deny overrides its allow); the second allows and its ttl caps the lifetime
    const second = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ blocked: true, role: "payer" })));
    expect(expectIssued(second).expires_in).toBe(60);
    const [secondEvent] = await auditOf(f.zone, second.headers.get("x-request-id")!);
    expect(secondEvent.determining_policies).toEqual([
      expect.objectContaining({ policy_version_id: fallback!.versionId, rule: "data.fallback.allow" }),
    ]);
  });

  it("denies with every policy's reasons when all of them deny", async () => {
    const f = await stsFixture([STRICT, FALLBACK]);
    const res = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ blocked: true, role: "viewer" })));
    const body = expectOAuthError(res, 403, "access_denied");
    // policy internals stay out of the client's answer
    expect(body.error_description).not.toContain("blocked");
    const requestId = res.headers.get("x-request-id")!;
    expect(body.error_description).toContain(requestId);

    const [event] = await auditOf(f.zone, requestId);
    const [strictName, fallbackName] = event.determining_policies.map((d: { policy_name: string }) => d.policy_name);
    expect(event).toMatchObject({ decision: "deny", evaluation_status: "enforced", scope_granted: null, token_jti: null });
    expect(event.reasons).toEqual([`${strictName}: subject is blocked`, `${fallbackName}: allow is not true`]);
    expect(event.determining_policies.map((d: any) => [d.rule, d.location?.row ?? null])).toEqual([
      ["data.strict.deny", 7],
      ["data.fallback.allow", null],
    ]);
  });

  it("denies with no_active_policy_set when the zone has no active set", async () => {
    const f = await stsFixture([]);
    const res = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ role: "payer" })));
    expect(expectOAuthError(res, 403, "access_denied").error_description).toMatch(/^no_active_policy_set/);
    const [event] = await auditOf(f.zone, res.headers.get("x-request-id")!);
    expect(event).toMatchObject({ decision: "deny", reasons: ["no_active_policy_set"], policy_set_id: null, determining_policies: [] });
  });

  it("applies ttl, scope and claims obligations without overriding protected claims", async () => {
    const f = await stsFixture([OBLIGATIONS]);
    const res = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint(), { scope: "read admin", audience: "ledger" }));
    const body = expectIssued(res);
    expect(body).toMatchObject({ expires_in: 120, scope: "read" });
    const claims = payloadOf(body.access_token);
    expect(claims).toMatchObject({
      tier: "gold",
      sub: "alice",
      iss: f.issuer,
      aud: "ledger",
      scope: "read",
      client_id: f.client.id,
      zone: f.zone,
    });
    expect(claims.exp - claims.iat).toBe(120);
    expect(claims.jti).not.toBe("x");
    expect(claims).not.toHaveProperty("act");
    expect(claims).not.toHaveProperty("nbf");
    const [event] = await auditOf(f.zone, res.headers.get("x-request-id")!);
    expect(event).toMatchObject({ scope_requested: ["read", "admin"], scope_granted: ["read"], token_jti: claims.jti });
    expect(event.reasons).toEqual([
      "claims obligation: protected claims not overridden: act, aud, client_id, exp, iat, iss, jti, nbf, scope, sub, zone",
    ]);
  });

  it("narrows scopes: to the policy's scope obligation, else to the subject token's scopes", async () => {
    const withScopeRule = await stsFixture([OBLIGATIONS]);
    const subject = await withScopeRule.idp.mint({ scope: "read write delete" });
    // no scope requested: the subject's scopes, capped by the policy
    expect(expectIssued(await tokenRequest(withScopeRule.zone, withScopeRule.client, exchangeParams(subject))).scope).toBe("read write");
    // nothing grantable
    const refused = await tokenRequest(withScopeRule.zone, withScopeRule.client, exchangeParams(subject, { scope: "admin" }));
    expectOAuthError(refused, 400, "invalid_scope");
    const [event] = await auditOf(withScopeRule.zone, refused.headers.get("x-request-id")!);
    expect(event).toMatchObject({
      decision: "deny",
      scope_granted: null,
      reasons: ["invalid_scope: none of the requested scopes may be granted"],
    });

    const withoutScopeRule = await stsFixture([ALLOW_POLICY]);
    const narrowed = await tokenRequest(
      withoutScopeRule.zone,
      withoutScopeRule.client,
      exchangeParams(await withoutScopeRule.idp.mint({ role: "payer", scp: ["read"] }), { scope: "read admin" }),
    );
    expect(expectIssued(narrowed).scope).toBe("read");
  });

  it("sets the lifetime to min(zone default, policy ttl, zone maximum)", async () => {
    const lifetimeWith = async (ttl: string, zoneFields: Record<string, unknown>) => {
      const f = await stsFixture([OBLIGATIONS.replace("ttl := 120", ttl)], undefined, zoneFields);
      const body = expectIssued(await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint())));
      const claims = payloadOf(body.access_token);
      expect(claims.exp - claims.iat).toBe(body.expires_in);
      return body.expires_in;
    };
    expect(await lifetimeWith("ttl := 100000", {})).toBe(900);
    expect(await lifetimeWith("ttl := 100000", { default_token_lifetime: 300, max_token_lifetime: 600 })).toBe(300);
    expect(await lifetimeWith("ttl := 450", { default_token_lifetime: 600, max_token_lifetime: 600 })).toBe(450);
    expect(await lifetimeWith("ttl := 90.9", {})).toBe(90);
    expect(
      (await call("POST", "/v1/zones", { name: `bad-${Date.now()}`, default_token_lifetime: 900, max_token_lifetime: 600 })).status,
    ).toBe(400);
  });
});

describe("fail closed", () => {
  it("answers 503 and audits an error when a policy fails to evaluate (strict built-in errors)", async () => {
    const f = await stsFixture([DIVIDES_BY_INPUT]);
    // a divisor that works allows …
    expectIssued(await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ divisor: 2 }))));
    // … division by zero is an error, never an allow
    const res = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ divisor: 0 })));
    expectOAuthError(res, 503, "temporarily_unavailable");
    const [event] = await auditOf(f.zone, res.headers.get("x-request-id")!);
    expect(event).toMatchObject({
      decision: "deny",
      evaluation_status: "error",
      token_jti: null,
      error: { code: "eval_builtin_error", message: "div: divide by zero", location: { row: 3, col: 10 } },
    });
    expect(event.determining_policies[0]).toMatchObject({ rule: "data.broken.allow", location: { row: 3 } });
  });

  it("answers 503 when a policy exceeds its evaluation budget", async () => {
    const f = await stsFixture([SPINS]);
    const res = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint()));
    expectOAuthError(res, 503, "temporarily_unavailable");
    const [event] = await auditOf(f.zone, res.headers.get("x-request-id")!);
    expect(event).toMatchObject({ evaluation_status: "error", decision: "deny", error: { code: "eval_budget_exceeded" } });
  });

  it("shares one budget among all the evaluations of a decision", async () => {
    // Each busy policy denies after about 280,000 steps (input-dependent, so no evaluation reuses another's
    // work): three and the allowing policy fit the default budget of 1,000,000 steps; a fourth does not.
    const busy = (n: number) =>
      `package busy${n}\n\nallow if count([x | some i in numbers.range(1, 40000 + count(input.subject.claims)); x := i]) < 0\n`;
    const three = await stsFixture([busy(1), busy(2), busy(3), ALLOW_POLICY]);
    expectIssued(await tokenRequest(three.zone, three.client, exchangeParams(await three.idp.mint({ role: "payer" }))));
    const four = await stsFixture([busy(1), busy(2), busy(3), busy(4), ALLOW_POLICY]);
    const res = await tokenRequest(four.zone, four.client, exchangeParams(await four.idp.mint({ role: "payer" })));
    expectOAuthError(res, 503, "temporarily_unavailable");
    const [event] = await auditOf(four.zone, res.headers.get("x-request-id")!);
    expect(event).toMatchObject({ evaluation_status: "error", decision: "deny", error: { code: "eval_budget_exceeded" } });
    expect(event.determining_policies[0]).toMatchObject({ rule: "data.busy4.allow" });
  });

  it("answers 503 for a malformed obligation", async () => {
    // A literal would be refused at creation (decision-contract check); a computed value is only seen per exchange.
    const f = await stsFixture([`package badttl\n\nallow := true\n\nttl := concat("", ["for", "ever"])\n`]);
    const res = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint()));
    expectOAuthError(res, 503, "temporarily_unavailable");
    const [event] = await auditOf(f.zone, res.headers.get("x-request-id")!);
    expect(event.error).toMatchObject({ code: "invalid_obligation", message: expect.stringContaining("data.badttl.ttl") });
  });
});

describe("shadow evaluation", () => {
  it("records a disagreeing shadow decision without changing the response", async () => {
    const f = await stsFixture([ALLOW_POLICY], [LOCKDOWN]);
    const res = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ role: "payer" })));
    expectIssued(res);
    const requestId = res.headers.get("x-request-id")!;
    const events = await auditOf(f.zone, requestId);
    expect(events.map((e) => [e.evaluation_status, e.decision, e.policy_set_version_id])).toEqual(
      expect.arrayContaining([
        ["enforced", "allow", f.activation!.psv],
        ["shadow", "deny", f.activation!.shadow],
      ]),
    );
    expect(events).toHaveLength(2);
    const shadowEvent = events.find((e) => e.evaluation_status === "shadow");
    expect(shadowEvent).toMatchObject({
      token_jti: null,
      scope_granted: null,
      determining_policies: [expect.objectContaining({ rule: "data.lockdown.deny" })],
    });
    const shadowOnly = expectStatus(await call("GET", `/v1/zones/${f.zone}/audit?status=shadow`), 200);
    expect(shadowOnly.items.map((e: any) => e.request_id)).toEqual([requestId]);

    const explained = await explain(f.zone, requestId);
    expect(explained.shadow).toMatchObject({
      decision: "deny",
      evaluation_status: "shadow",
      agrees: false,
      policy_set_version_id: f.activation!.shadow,
    });
  });

  it("never lets a failing shadow change the response", async () => {
    const f = await stsFixture([ALLOW_POLICY], [SPINS]);
    const res = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ role: "payer" })));
    expectIssued(res);
    const explained = await explain(f.zone, res.headers.get("x-request-id")!);
    expect(explained.decision).toBe("allow");
    expect(explained.shadow).toMatchObject({ evaluation_status: "shadow", error: { code: "eval_budget_exceeded" }, agrees: false });
  });
});

describe("audit events and explain", () => {
  it("records the input document without raw tokens or secrets", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const subject = await f.idp.mint({ role: "payer", scope: "pay" });
    const res = await tokenRequest(f.zone, f.client, exchangeParams(subject, { resource: "https://api.example/pay", scope: "pay" }), {
      headers: { "cf-connecting-ip": "203.0.113.7" },
      cf: { country: "DE" },
    });
    expectIssued(res);
    const requestId = res.headers.get("x-request-id")!;
    const [event] = await auditOf(f.zone, requestId);
    expect(event.input).toEqual({
      schema_version: 1,
      zone: { id: f.zone },
      request: { id: requestId, time: event.time, time_ns: expect.any(Number), ip: "203.0.113.7", country: "DE" },
      client: { id: f.client.id, name: expect.any(String), attributes: { team: "payments" } },
      subject: {
        token_type: "urn:ietf:params:oauth:token-type:jwt",
        issuer: f.idp.issuer,
        claims: expect.objectContaining({ sub: "alice", role: "payer" }),
      },
      actor: null,
      resource: ["https://api.example/pay"],
      audience: [],
      scope: ["pay"],
      requested_token_type: "urn:ietf:params:oauth:token-type:access_token",
    });
    expect(event).toMatchObject({
      subject: { iss: f.idp.issuer, sub: "alice" },
      actor: null,
      client_id: f.client.id,
      duration_us: expect.any(Number),
    });
    const raw = JSON.stringify(await auditOf(f.zone, requestId));
    expect(raw).not.toContain(subject.split(".")[2]);
    expect(raw).not.toContain(f.client.secret);
    expect(raw).not.toContain(res.body.access_token.split(".")[2]);
  });

  it("explains an allow: each policy in order, its outcome and the rule locations that fired", async () => {
    const f = await stsFixture([STRICT, FALLBACK]);
    const res = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ blocked: true, role: "payer" })));
    expectIssued(res);
    const explained = await explain(f.zone, res.headers.get("x-request-id")!);
    const [strict, fallback] = explained.policies;
    expect(explained).toMatchObject({
      decision: "allow",
      evaluation_status: "enforced",
      policy_set_version_id: f.activation!.psv,
      shadow: null,
    });
    expect(strict).toMatchObject({ outcome: "deny", reasons: ["subject is blocked"], determining: false, package: "strict" });
    expect(strict.rules).toEqual(
      expect.arrayContaining([
        { rule: "data.strict.allow", locations: [{ file: `${strict.policy_name}.rego`, row: 5, col: 1 }] },
        { rule: "data.strict.deny", locations: [{ file: `${strict.policy_name}.rego`, row: 7, col: 1 }] },
      ]),
    );
    expect(fallback).toMatchObject({ outcome: "allow", determining: true });
    expect(fallback.rules).toEqual(
      expect.arrayContaining([{ rule: "data.fallback.allow", locations: [{ file: `${fallback.policy_name}.rego`, row: 3, col: 1 }] }]),
    );
    expect(explained.determining_policies).toEqual([
      {
        policy_id: fallback.policy_id,
        policy_version_id: fallback.policy_version_id,
        policy_name: fallback.policy_name,
        rule: "data.fallback.allow",
        location: { file: `${fallback.policy_name}.rego`, row: 3, col: 1 },
      },
    ]);
    expect(explained.input.subject.claims.blocked).toBe(true);
  });

  it("explains a deny, marks policies after the winner as not evaluated, and 404s unknown requests", async () => {
    const f = await stsFixture([ALLOW_POLICY, STRICT]);
    const allowed = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ role: "payer" })));
    const explainedAllow = await explain(f.zone, allowed.headers.get("x-request-id")!);
    expect(explainedAllow.policies.map((p: any) => p.outcome)).toEqual(["allow", "not_evaluated"]);

    const denied = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ role: "viewer", blocked: true })));
    expectOAuthError(denied, 403, "access_denied");
    const explained = await explain(f.zone, denied.headers.get("x-request-id")!);
    expect(explained.decision).toBe("deny");
    expect(explained.policies.map((p: any) => [p.outcome, p.determining])).toEqual([
      ["deny", true],
      ["deny", true],
    ]);
    expect(explained.policies[0].rules).toEqual([
      { rule: "data.payments.allow", locations: [{ file: `${explained.policies[0].policy_name}.rego`, row: 3, col: 9 }] },
    ]);

    expect((await call("GET", `/v1/zones/${f.zone}/explain/req-doesnotexist`)).status).toBe(404);
    // another zone's request id is not found either
    const other = await stsFixture([]);
    expect((await call("GET", `/v1/zones/${other.zone}/explain/${denied.headers.get("x-request-id")}`)).status).toBe(404);
  });
});
