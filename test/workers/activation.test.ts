import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, newPolicy, newPolicySet, newSetVersion, newZone } from "./helpers.js";

/** A zone with one policy set holding two versions (v1, v2) and a second set with one version. */
async function fixture() {
  const zone = await newZone();
  const a = await newPolicy(zone);
  const b = await newPolicy(zone);
  const set = await newPolicySet(zone);
  const v1 = await newSetVersion(zone, set, [a.versionId]);
  const v2 = await newSetVersion(zone, set, [a.versionId, b.versionId]);
  const otherSet = await newPolicySet(zone);
  const otherVersion = await newSetVersion(zone, otherSet, [b.versionId]);
  const activate = (body: unknown, setId = set, headers: Record<string, string> = {}) =>
    call("POST", `/v1/zones/${zone}/policy-sets/${setId}/activate`, body, { headers });
  const getSet = async (setId = set) => expectStatus(await call("GET", `/v1/zones/${zone}/policy-sets/${setId}`), 200);
  return { zone, set, v1, v2, otherSet, otherVersion, activate, getSet };
}

function outboxRows(zone: string) {
  return env.DB.prepare("SELECT * FROM invalidation_outbox WHERE zone_id = ? ORDER BY seq")
    .bind(zone)
    .all()
    .then((r) => r.results);
}

describe("activation", () => {
  it("sets the zone pointer, appends history and an outbox row", async () => {
    const f = await fixture();
    const activation = expectStatus(await f.activate({ version: f.v1 }, f.set, { "x-caracal-actor": "alice" }), 200);
    expect(activation).toEqual({
      zone_id: f.zone,
      policy_set_id: f.set,
      active_version_id: f.v1,
      shadow_version_id: null,
      seq: 1,
      activated_at: expect.any(String),
      activated_by: "alice",
    });

    const got = await f.getSet();
    expect(got.activation).toEqual(activation);
    expect(got.history).toEqual([
      {
        seq: 1,
        policy_set_id: f.set,
        from_version_id: null,
        to_version_id: f.v1,
        shadow_version_id: null,
        actor: "alice",
        activated_at: activation.activated_at,
      },
    ]);
    expect(expectStatus(await call("GET", `/v1/zones/${f.zone}`), 200).activation).toEqual(activation);
    expect(await outboxRows(f.zone)).toEqual([
      {
        id: expect.any(Number),
        zone_id: f.zone,
        policy_set_version_id: f.v1,
        shadow_policy_set_version_id: null,
        seq: 1,
        created_at: activation.activated_at,
        dispatched_at: null,
      },
    ]);
  });

  it("activates with a shadow version, then promotes it, then rolls back", async () => {
    const f = await fixture();
    expectStatus(await f.activate({ version: f.v1 }), 200);
    const shadowed = expectStatus(await f.activate({ version: f.v1, shadow: f.v2 }), 200);
    expect(shadowed).toMatchObject({ active_version_id: f.v1, shadow_version_id: f.v2, seq: 2, activated_by: "admin" });
    // a shadow may come from another set of the zone
    expect(expectStatus(await f.activate({ version: f.v1, shadow: f.otherVersion }), 200).shadow_version_id).toBe(f.otherVersion);

    const promoted = expectStatus(await f.activate({ version: f.v2 }), 200);
    expect(promoted).toMatchObject({ active_version_id: f.v2, shadow_version_id: null, seq: 4 });
    const rolledBack = expectStatus(await f.activate({ version: f.v1 }), 200);
    expect(rolledBack).toMatchObject({ active_version_id: f.v1, shadow_version_id: null, seq: 5 });

    const got = await f.getSet();
    expect(got.activation).toEqual(rolledBack);
    expect(got.history.map((h: any) => [h.seq, h.from_version_id, h.to_version_id, h.shadow_version_id])).toEqual([
      [1, null, f.v1, null],
      [2, f.v1, f.v1, f.v2],
      [3, f.v1, f.v1, f.otherVersion],
      [4, f.v1, f.v2, null],
      [5, f.v2, f.v1, null],
    ]);
    expect((await outboxRows(f.zone)).map((r: any) => [r.seq, r.policy_set_version_id, r.shadow_policy_set_version_id])).toEqual([
      [1, f.v1, null],
      [2, f.v1, f.v2],
      [3, f.v1, f.otherVersion],
      [4, f.v2, null],
      [5, f.v1, null],
    ]);
  });

  it("keeps one active set per zone: activating another set replaces the pointer", async () => {
    const f = await fixture();
    expectStatus(await f.activate({ version: f.v1 }), 200);
    expectStatus(await f.activate({ version: f.otherVersion }, f.otherSet), 200);
    expect((await f.getSet()).activation).toBeNull();
    expect((await f.getSet()).history).toHaveLength(1);
    const other = await f.getSet(f.otherSet);
    expect(other.activation).toMatchObject({ policy_set_id: f.otherSet, active_version_id: f.otherVersion, seq: 2 });
    expect(other.history).toEqual([expect.objectContaining({ seq: 2, from_version_id: f.v1, to_version_id: f.otherVersion })]);
  });

  it("rejects a version of another set, and unknown or foreign shadows, with 422", async () => {
    const f = await fixture();
    const foreign = await fixture();
    expectProblem(await f.activate({ version: f.otherVersion }), 422);
    expectProblem(await f.activate({ version: "psv-unknownunkno" }), 422);
    expectProblem(await f.activate({ version: f.v1, shadow: "psv-unknownunkno" }), 422);
    expectProblem(await f.activate({ version: f.v1, shadow: foreign.v1 }), 422);
    expect((await f.getSet()).history).toEqual([]);
    expect(await outboxRows(f.zone)).toEqual([]);
  });

  it("answers 404 for a set of another zone and 400 for bad bodies", async () => {
    const f = await fixture();
    const foreign = await fixture();
    expectProblem(await f.activate({ version: foreign.v1 }, foreign.set), 404);
    expectProblem(await f.activate({}), 400);
    expectProblem(await f.activate({ version: f.v1, enforce: true }), 400);
    expectProblem(await call("POST", `/v1/zones/${f.zone}/policy-sets/${f.set}/activate`, undefined, { raw: "{" }), 400);
  });

  it("commits pointer, history and outbox atomically: a lost race changes nothing", async () => {
    const f = await fixture();
    expectStatus(await f.activate({ version: f.v1 }), 200);
    // Simulate a concurrent activation that already committed seq 2 in history.
    await env.DB.prepare(
      "INSERT INTO activation_history (zone_id, seq, policy_set_id, to_policy_set_version_id, actor, activated_at) VALUES (?, 2, ?, ?, 'racer', ?)",
    )
      .bind(f.zone, f.set, f.v2, new Date().toISOString())
      .run();
    expectProblem(await f.activate({ version: f.v2 }), 409);
    expect((await f.getSet()).activation).toMatchObject({ active_version_id: f.v1, seq: 1 });
    expect(await outboxRows(f.zone)).toHaveLength(1);
  });
});
