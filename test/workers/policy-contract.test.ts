/** Decision-contract checks through the admin API: refusals are 422 before anything is written, warnings ride on the 201. */
import { describe, expect, it } from "vitest";
import { ALLOW_POLICY, call, expectProblem, expectStatus, newPolicy, newZone, uniqueName } from "./helpers.js";

describe("decision contract at version creation", () => {
  it("refuses a decision package that defines neither allow nor deny, and writes nothing", async () => {
    const zone = await newZone();
    const name = uniqueName("typo");
    const problem = expectProblem(
      await call("POST", `/v1/zones/${zone}/policies`, {
        name,
        source: 'package payments\n\nalow if input.subject.claims.role == "payer"\n',
      }),
      422,
    );
    expect(problem.type).toBe("urn:caracal:problem:decision-contract");
    expect(problem.errors).toEqual([
      {
        code: "no_decision_rule",
        message: expect.stringMatching(new RegExp(`defines neither allow nor deny.*alow at ${name}\\.rego:3 looks like allow`)),
      },
    ]);
    const page = expectStatus(await call("GET", `/v1/zones/${zone}/policies`), 200);
    expect(page.items).toEqual([]);
  });

  it("refuses an obligation of the wrong type with its location, on a new version too", async () => {
    const zone = await newZone();
    const policy = await newPolicy(zone);
    const problem = expectProblem(
      await call("POST", `/v1/zones/${zone}/policies/${policy.id}/versions`, { source: `${ALLOW_POLICY}\nttl := "300"\n` }),
      422,
    );
    expect(problem.errors).toEqual([
      {
        code: "decision_contract",
        message: "ttl must be a number of seconds, got a string",
        location: { file: expect.stringMatching(/\.rego$/), row: ALLOW_POLICY.split("\n").length + 1, col: 1 },
      },
    ]);
    const detail = expectStatus(await call("GET", `/v1/zones/${zone}/policies/${policy.id}`), 200);
    expect(detail.versions).toHaveLength(1);
  });

  it("checks the decision package of a bundle, naming the module's path", async () => {
    const zone = await newZone();
    const files = [
      { path: "authz/policy.rego", content: 'package authz\n\nimport data.lib\n\nallow if lib.ok\n\nscope := "payments:read"\n' },
      { path: "lib/lib.rego", content: 'package lib\n\nok if input.ok\n\nscope := "not the decision package"\n' },
    ];
    const problem = expectProblem(
      await call("POST", `/v1/zones/${zone}/policies`, { name: uniqueName("b"), files, package: "authz" }),
      422,
    );
    expect(problem.errors).toEqual([
      {
        code: "decision_contract",
        message: expect.stringContaining("scope must be a set or array"),
        location: { file: "authz/policy.rego", row: 7, col: 1 },
      },
    ]);
  });

  it("answers near-miss warnings with the created policy and version", async () => {
    const zone = await newZone();
    const source = `${ALLOW_POLICY}\ndenies contains "blocked" if input.subject.claims.blocked\n`;
    const created = expectStatus(await call("POST", `/v1/zones/${zone}/policies`, { name: uniqueName("w"), source }), 201);
    expect(created.warnings).toEqual([
      {
        code: "near_miss_rule",
        message: expect.stringContaining("rule denies looks like deny"),
        location: { file: expect.any(String), row: ALLOW_POLICY.split("\n").length + 1, col: 1 },
      },
    ]);
    const version = expectStatus(
      await call("POST", `/v1/zones/${zone}/policies/${created.id}/versions`, { source: `${source}\nClaims := {"tier": "gold"}\n` }),
      201,
    );
    expect(version.warnings.map((w: { message: string }) => w.message.split(",")[0])).toEqual([
      "rule denies looks like deny",
      "rule Claims looks like claims",
    ]);
  });
});
