/**
 * The set-version test gate (README "Tests gate a set version"): with
 * `run_tests: true`, the *_test.rego tests of each member's bundle run with
 * that bundle's data; a failing or erroring test refuses the set version with
 * 422 naming the test, and nothing is written. Without the flag nothing runs.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, newPolicy, newPolicySet, newZone, uniqueName } from "./helpers.js";
import { MAX_GATE_TESTS } from "../../workers/admin/policy-tests.js";

const MAIN = `package payments

default allow := false

allow if input.subject.claims.sub in data.payers
`;
const ROLES = JSON.stringify({ payers: ["alice"] });

const PASSING = `package payments_test

import data.payments

test_alice_may_pay if payments.allow with input as {"subject": {"claims": {"sub": "alice"}}}

test_bob_may_not if not payments.allow with input as {"subject": {"claims": {"sub": "bob"}}}

todo_test_later if false
`;
// Wrong on purpose: bob is not in data.payers, so this test fails; the second one errors (conflict).
const FAILING = `package payments_test

import data.payments

test_bob_may_pay if payments.allow with input as {"subject": {"claims": {"sub": "bob"}}}

conflict := 1 if true
conflict := 2 if true

test_conflict if conflict == 1

test_alice_may_pay if payments.allow with input as {"subject": {"claims": {"sub": "alice"}}}
`;

async function bundleVersion(zone: string, test: string): Promise<string> {
  const created = expectStatus(
    await call("POST", `/v1/zones/${zone}/policies`, {
      name: uniqueName("gated"),
      files: [
        { path: "payments/main.rego", content: MAIN },
        { path: "payments/main_test.rego", content: test },
        { path: "data.json", content: ROLES },
      ],
      package: "payments",
    }),
    201,
  );
  return created.versions[0].id as string;
}

async function setVersionCount(set: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM policy_set_versions WHERE policy_set_id = ?")
    .bind(set)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe("set-version test gate", () => {
  it("refuses a set version whose bundle has a failing and an erroring test, naming both; nothing is written", async () => {
    const zone = await newZone();
    const plain = await newPolicy(zone);
    const failing = await bundleVersion(zone, FAILING);
    const set = await newPolicySet(zone);
    const path = `/v1/zones/${zone}/policy-sets/${set}/versions`;
    const problem = expectProblem(await call("POST", path, { policy_version_ids: [plain.versionId, failing], run_tests: true }), 422);
    expect(problem.type).toBe("urn:caracal:problem:policy-test-failed");
    expect(problem.errors).toHaveLength(2);
    const [fail, error] = problem.errors;
    expect(fail).toMatchObject({
      code: "policy_test_failed",
      policy_version_id: failing,
      location: { file: "payments/main_test.rego", row: 5, col: 1 },
    });
    expect(fail.message).toMatch(/^data\.payments_test\.test_bob_may_pay: FAIL/);
    expect(error).toMatchObject({ code: "policy_test_failed", location: { file: "payments/main_test.rego", row: 10 } });
    expect(error.message).toMatch(/^data\.payments_test\.test_conflict: ERROR: .*eval_conflict_error/);
    expect(await setVersionCount(set)).toBe(0);

    // Without the flag nothing runs: the same list is accepted.
    const created = expectStatus(await call("POST", path, { policy_version_ids: [plain.versionId, failing] }), 201);
    expect(created.tests).toBeUndefined();
    expect(await setVersionCount(set)).toBe(1);
    // Asking for the tests on the existing list gives their verdict, not a silent 200.
    expectProblem(await call("POST", path, { policy_version_ids: [plain.versionId, failing], run_tests: true }), 422);
  });

  it("allows a set version whose tests pass and says how many ran", async () => {
    const zone = await newZone();
    const passing = await bundleVersion(zone, PASSING);
    const plain = await newPolicy(zone);
    const set = await newPolicySet(zone);
    const created = expectStatus(
      await call("POST", `/v1/zones/${zone}/policy-sets/${set}/versions`, {
        policy_version_ids: [passing, plain.versionId],
        run_tests: true,
      }),
      201,
    );
    expect(created.tests).toEqual({ passed: 2, skipped: 1, versions_tested: 1 });
    expect(await setVersionCount(set)).toBe(1);
  });

  it("bounds the work: more tests than the limit are refused before any runs", async () => {
    const zone = await newZone();
    const many = Array.from({ length: MAX_GATE_TESTS + 1 }, (_, i) => `test_${i} if true`).join("\n");
    const version = await bundleVersion(zone, `package payments_test\n\n${many}\n`);
    const set = await newPolicySet(zone);
    const problem = expectProblem(
      await call("POST", `/v1/zones/${zone}/policy-sets/${set}/versions`, { policy_version_ids: [version], run_tests: true }),
      422,
    );
    expect(problem.errors[0]).toMatchObject({ code: "policy_test_limit", policy_version_id: version });
    expect(await setVersionCount(set)).toBe(0);
  });

  it("a test that exceeds the engine budget errors and refuses the set version", async () => {
    const zone = await newZone();
    const version = await bundleVersion(
      zone,
      `package payments_test\n\ntest_spin if {\n  count([x | some x in numbers.range(1, 100000000)]) > 0\n}\n`,
    );
    const set = await newPolicySet(zone);
    const problem = expectProblem(
      await call("POST", `/v1/zones/${zone}/policy-sets/${set}/versions`, { policy_version_ids: [version], run_tests: true }),
      422,
    );
    expect(problem.errors[0].message).toMatch(/test_spin: ERROR: .*eval_budget_exceeded/);
  });
});
