import { describe, expect, it } from "vitest";
import { ALLOW_POLICY, call, expectProblem, expectStatus, newPolicy, newPolicySet, newZone, uniqueName } from "./helpers.js";

describe("policy sets", () => {
  it("creates, lists and gets policy sets", async () => {
    const zone = await newZone();
    const name = uniqueName("production");
    const created = expectStatus(await call("POST", `/v1/zones/${zone}/policy-sets`, { name }), 201);
    expect(created).toEqual({ id: expect.stringMatching(/^ps-[a-z0-9]{12}$/), zone_id: zone, name, created_at: expect.any(String) });
    const page = expectStatus(await call("GET", `/v1/zones/${zone}/policy-sets`), 200);
    expect(page).toEqual({ items: [created], next_cursor: null });
    const got = expectStatus(await call("GET", `/v1/zones/${zone}/policy-sets/${created.id}`), 200);
    expect(got).toEqual({ ...created, versions: [], activation: null, isolates: null, history: [] });
  });

  it("rejects a duplicate name with 409 and bad bodies with 400", async () => {
    const zone = await newZone();
    const name = uniqueName("production");
    expectStatus(await call("POST", `/v1/zones/${zone}/policy-sets`, { name }), 201);
    expectProblem(await call("POST", `/v1/zones/${zone}/policy-sets`, { name }), 409);
    expectProblem(await call("POST", `/v1/zones/${zone}/policy-sets`, {}), 400);
    expectProblem(await call("POST", `/v1/zones/${zone}/policy-sets`, { name, description: "x" }), 400);
    expectProblem(await call("POST", `/v1/zones/${zone}/policy-sets`, undefined, { raw: "nope" }), 400);
  });

  it("answers 404 for unknown sets, sets of another zone and unknown zones", async () => {
    const zone = await newZone();
    const foreign = await newPolicySet(await newZone());
    expectProblem(await call("GET", `/v1/zones/${zone}/policy-sets/ps-unknownunkno`), 404);
    expectProblem(await call("GET", `/v1/zones/${zone}/policy-sets/${foreign}`), 404);
    expectProblem(await call("POST", `/v1/zones/${zone}/policy-sets/${foreign}/versions`, { policy_version_ids: ["pv-x"] }), 404);
    expectProblem(await call("POST", `/v1/zones/zn-unknownunkno/policy-sets`, { name: uniqueName("s") }), 404);
  });
});

describe("policy-set versions", () => {
  it("stores the ordered list, and returns the existing id for the same list", async () => {
    const zone = await newZone();
    const a = await newPolicy(zone);
    const b = await newPolicy(zone, ALLOW_POLICY.replace("package payments", "package fallback"));
    const set = await newPolicySet(zone);
    const path = `/v1/zones/${zone}/policy-sets/${set}/versions`;

    const first = expectStatus(await call("POST", path, { policy_version_ids: [a.versionId, b.versionId] }), 201);
    expect(first).toEqual({
      id: expect.stringMatching(/^psv-[a-z0-9]{12}$/),
      policy_set_id: set,
      zone_id: zone,
      policy_version_ids: [a.versionId, b.versionId],
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      created_at: expect.any(String),
    });
    expect(expectStatus(await call("POST", path, { policy_version_ids: [a.versionId, b.versionId] }), 200).id).toBe(first.id);
    const reversed = expectStatus(await call("POST", path, { policy_version_ids: [b.versionId, a.versionId] }), 201);
    expect(reversed.id).not.toBe(first.id);

    const got = expectStatus(await call("GET", `/v1/zones/${zone}/policy-sets/${set}`), 200);
    expect(got.versions.map((v: { id: string }) => v.id)).toEqual([first.id, reversed.id]);
    expect(expectStatus(await call("GET", `${path}/${first.id}`), 200)).toEqual(first);
    expectProblem(await call("GET", `${path}/psv-unknownunkno`), 404);
  });

  it("rejects policy versions of another zone, and unknown ones, with 422", async () => {
    const zone = await newZone();
    const own = await newPolicy(zone);
    const foreign = await newPolicy(await newZone());
    const set = await newPolicySet(zone);
    const path = `/v1/zones/${zone}/policy-sets/${set}/versions`;
    const problem = expectProblem(await call("POST", path, { policy_version_ids: [own.versionId, foreign.versionId] }), 422);
    expect(problem.detail).toContain(foreign.versionId);
    expect(problem.detail).not.toContain(own.versionId);
    expectProblem(await call("POST", path, { policy_version_ids: ["pv-unknownunkno"] }), 422);
  });

  it("rejects empty lists, duplicates and unknown fields with 400", async () => {
    const zone = await newZone();
    const own = await newPolicy(zone);
    const set = await newPolicySet(zone);
    const path = `/v1/zones/${zone}/policy-sets/${set}/versions`;
    expectProblem(await call("POST", path, { policy_version_ids: [] }), 400);
    expectProblem(await call("POST", path, { policy_version_ids: [own.versionId, own.versionId] }), 400);
    expectProblem(await call("POST", path, { policy_version_ids: [own.versionId], note: "x" }), 400);
    expectProblem(await call("POST", path, { policy_version_ids: own.versionId }), 400);
    expectProblem(await call("POST", path, {}), 400);
  });
});
