/** Delegation (RFC 8693 §4.1, §4.4): act claims, nested chains, may_act, and re-exchanging the zone's own tokens. */
import { describe, expect, it } from "vitest";
import { call, expectStatus } from "./helpers.js";
import {
  auditOf,
  exchangeParams,
  expectIssued,
  expectOAuthError,
  JWT_TYPE,
  newIssuer,
  payloadOf,
  stsFixture,
  tokenRequest,
  trustIssuer,
} from "./sts-helpers.js";

const ALLOW_ALL = `package open

allow := true
`;

/** The policy sees the actor: a service may act only for payers. */
const ACTORS = `package actors

default allow := false

allow if input.actor == null

allow if {
  input.actor.claims.sub == "svc-checkout"
  input.subject.claims.role == "payer"
}
`;

const actorParams = (actorToken: string) => ({ actor_token: actorToken, actor_token_type: JWT_TYPE });

describe("delegation", () => {
  it("adds act for an actor token, nests prior actors, and keeps the chain without a new actor", async () => {
    const f = await stsFixture([ALLOW_ALL]);
    const first = expectIssued(
      await tokenRequest(
        f.zone,
        f.client,
        exchangeParams(await f.idp.mint({ sub: "alice", scope: "pay" }), actorParams(await f.idp.mint({ sub: "svc-a" }))),
      ),
    );
    expect(payloadOf(first.access_token).act).toEqual({ sub: "svc-a", iss: f.idp.issuer });

    // the zone's own token is exchanged again, now with a second actor: the chain nests
    const second = expectIssued(
      await tokenRequest(
        f.zone,
        f.client,
        exchangeParams(first.access_token, {
          subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
          ...actorParams(await f.idp.mint({ sub: "svc-b" })),
        }),
      ),
    );
    const secondClaims = payloadOf(second.access_token);
    expect(secondClaims).toMatchObject({ iss: f.issuer, sub: "alice" });
    expect(secondClaims.act).toEqual({ sub: "svc-b", iss: f.idp.issuer, act: { sub: "svc-a", iss: f.idp.issuer } });
    // the subject's scope carries over when none is requested
    expect(secondClaims.scope).toBe("pay");

    // exchanged again without an actor: delegation is never silently dropped
    const third = expectIssued(await tokenRequest(f.zone, f.client, exchangeParams(second.access_token)));
    expect(payloadOf(third.access_token).act).toEqual(secondClaims.act);
  });

  it("lets policies decide on the actor", async () => {
    const f = await stsFixture([ACTORS]);
    const subject = await f.idp.mint({ role: "payer" });
    expectIssued(await tokenRequest(f.zone, f.client, exchangeParams(subject, actorParams(await f.idp.mint({ sub: "svc-checkout" })))));
    const res = await tokenRequest(f.zone, f.client, exchangeParams(subject, actorParams(await f.idp.mint({ sub: "svc-other" }))));
    expectOAuthError(res, 403, "access_denied");
    const [event] = await auditOf(f.zone, res.headers.get("x-request-id")!);
    expect(event.actor).toEqual({ iss: f.idp.issuer, sub: "svc-other" });
    expect(event.input.actor).toMatchObject({ issuer: f.idp.issuer, claims: { sub: "svc-other" } });
  });

  it("enforces the subject token's may_act", async () => {
    const f = await stsFixture([ALLOW_ALL]);
    const subject = await f.idp.mint({ may_act: { sub: "svc-a", iss: f.idp.issuer } });
    expectIssued(await tokenRequest(f.zone, f.client, exchangeParams(subject, actorParams(await f.idp.mint({ sub: "svc-a" })))));
    // no actor: may_act has nothing to check
    expectIssued(await tokenRequest(f.zone, f.client, exchangeParams(subject)));

    const denied = await tokenRequest(f.zone, f.client, exchangeParams(subject, actorParams(await f.idp.mint({ sub: "svc-b" }))));
    expect(expectOAuthError(denied, 403, "access_denied").error_description).toMatch(/may_act/);
    const [event] = await auditOf(f.zone, denied.headers.get("x-request-id")!);
    expect(event).toMatchObject({
      decision: "deny",
      reasons: ["may_act: the subject token does not allow this actor"],
      determining_policies: [],
    });

    // an actor with the right sub from another issuer does not match may_act.iss
    const elsewhere = await stsFixture([ALLOW_ALL]);
    const other = await newIssuer();
    await trustIssuer(elsewhere.zone, other);
    const pinned = await elsewhere.idp.mint({ may_act: { sub: "svc-a", iss: elsewhere.idp.issuer } });
    expectOAuthError(
      await tokenRequest(elsewhere.zone, elsewhere.client, exchangeParams(pinned, actorParams(await other.mint({ sub: "svc-a" })))),
      403,
      "access_denied",
    );
  });

  it("keeps verifying the zone's own tokens across a key rotation", async () => {
    const f = await stsFixture([ALLOW_ALL]);
    const before = expectIssued(await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint())));
    const rotation = expectStatus(await call("POST", `/v1/zones/${f.zone}/signing-keys/rotate`), 201);
    expect(rotation.previous).toMatchObject({ status: "retired", kid: JSON.parse(atob(before.access_token.split(".")[0])).kid });

    const after = expectIssued(await tokenRequest(f.zone, f.client, exchangeParams(before.access_token)));
    expect(JSON.parse(atob(after.access_token.split(".")[0])).kid).toBe(rotation.current.kid);
  });

  it("does not accept another zone's tokens as its own", async () => {
    const f = await stsFixture([ALLOW_ALL]);
    const g = await stsFixture([ALLOW_ALL]);
    const fromG = expectIssued(await tokenRequest(g.zone, g.client, exchangeParams(await g.idp.mint())));
    const res = await tokenRequest(f.zone, f.client, exchangeParams(fromG.access_token));
    expect(expectOAuthError(res, 400, "invalid_request").error_description).toMatch(/not trusted/);
  });
});
