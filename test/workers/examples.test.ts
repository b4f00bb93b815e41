/**
 * The examples through the real admin API and STS: created as `caracal policy create` sends them
 * (the decision contract included), activated, and exchanged — so the decision tables in
 * examples/two-policy-set/README.md and examples/payments/README.md are what the STS does.
 */
import { describe, expect, it } from "vitest";
import breakGlass from "../../examples/two-policy-set/break-glass.rego?raw";
import standard from "../../examples/two-policy-set/standard.rego?raw";
import payments from "../../examples/payments/payments.rego?raw";
import { call, expectStatus, newZone, uniqueName } from "./helpers.js";
import {
  auditOf,
  exchangeParams,
  expectIssued,
  expectOAuthError,
  newClient,
  newIssuer,
  payloadOf,
  stsFixture,
  tokenRequest,
  trustIssuer,
} from "./sts-helpers.js";

describe("examples/two-policy-set: the first policy that does not deny wins", () => {
  it("decides each row of the README's table", async () => {
    const f = await stsFixture([breakGlass, standard]);
    const mint = async (claims: Record<string, unknown>) =>
      tokenRequest(
        f.zone,
        f.client,
        exchangeParams(await f.idp.mint({ sub: "someone", ...claims }), { scope: "payments:read payments:refund payments:write" }),
      );

    const oncall = payloadOf(expectIssued(await mint({ oncall: true, incident: "INC-4711" })).access_token);
    expect(oncall.scope.split(" ").sort()).toEqual(["payments:read", "payments:refund"]);
    expect(oncall.incident).toBe("INC-4711");
    expect(oncall.exp - oncall.iat).toBe(600);

    const payer = payloadOf(expectIssued(await mint({ role: "payer" })).access_token);
    expect(payer.scope.split(" ").sort()).toEqual(["payments:read", "payments:write"]);
    expect(payer.incident).toBeUndefined();

    const suspended = await mint({ role: "payer", suspended: true });
    expectOAuthError(suspended, 403, "access_denied");
    const [event] = await auditOf(f.zone, suspended.headers.get("x-request-id")!);
    // each reason is prefixed with the name of the policy that gave it
    expect(event.reasons.map((r: string) => r.replace(/^[^:]+: /, ""))).toEqual(["allow is not true", "subject is suspended"]);

    const both = payloadOf(expectIssued(await mint({ role: "payer", suspended: true, oncall: true, incident: "INC-1" })).access_token);
    expect(both.incident).toBe("INC-1");
  });
});

describe("examples/payments through the STS", () => {
  it("applies its obligations", async () => {
    const zone = await newZone();
    const idp = await newIssuer();
    await trustIssuer(zone, idp);
    const client = await newClient(zone, { team: "payments" });
    const created = expectStatus(await call("POST", `/v1/zones/${zone}/policies`, { name: uniqueName("payments"), source: payments }), 201);
    expect(created.warnings).toEqual([]);
    const set = expectStatus(await call("POST", `/v1/zones/${zone}/policy-sets`, { name: uniqueName("set") }), 201).id;
    const psv = expectStatus(
      await call("POST", `/v1/zones/${zone}/policy-sets/${set}/versions`, { policy_version_ids: [created.versions[0].id] }),
      201,
    ).id;
    expectStatus(await call("POST", `/v1/zones/${zone}/policy-sets/${set}/activate`, { version: psv }), 200);

    const token = await idp.mint({ sub: "alice", role: "payer", amr: ["pwd"], lifetime_volume: 250000 });
    const res = await tokenRequest(
      zone,
      client,
      exchangeParams(token, { audience: "https://api.example.com/payments", scope: "payments:write admin" }),
    );
    const issued = payloadOf(expectIssued(res).access_token);
    expect(issued.scope).toBe("payments:write");
    expect(issued.payer_tier).toBe("gold");
    expect(issued.exp - issued.iat).toBe(300);
  });
});
