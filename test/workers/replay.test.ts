/**
 * Change safety with real exchanges on real D1: traffic recorded under one
 * set version (with a candidate in shadow), replay of that traffic against
 * the candidate, the replay gate on activation, and the shadow report.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, newPolicy, newSetVersion } from "./helpers.js";
import {
  exchangeParams,
  expectIssued,
  expectOAuthError,
  JWT_TYPE,
  newClient,
  stsFixture,
  tokenRequest,
  type TestClient,
} from "./sts-helpers.js";

const RECORDED = `package recorded

default allow := false

allow if input.subject.claims.role in {"payer", "viewer"}

deny contains "subject is blocked" if input.subject.claims.blocked
`;

// Flips viewer (allow → deny) and guest (deny → allow). Its allow also needs
// time.now_ns() to be the recorded request's time: a replay evaluated at the
// current time would deny everything.
const CANDIDATE = `package candidate

default allow := false

allow if {
  input.subject.claims.role in {"payer", "guest"}
  time.now_ns() == input.request.time_ns
}

deny contains "subject is blocked" if input.subject.claims.blocked
`;

interface Traffic {
  zone: string;
  set: string;
  recorded: string;
  candidate: string;
  recordedVersion: string;
  candidateVersion: string;
  ids: Record<"payer" | "viewer" | "guest" | "blocked" | "guest2", string>;
  other: TestClient;
  clientId: string;
}

let t: Traffic;

beforeAll(async () => {
  const f = await stsFixture([RECORDED], [CANDIDATE]);
  const other = await newClient(f.zone, { team: "other" });
  const send = async (claims: Record<string, unknown>, client = f.client) =>
    tokenRequest(f.zone, client, exchangeParams(await f.idp.mint(claims)));
  const payer = await send({ role: "payer" });
  expectIssued(payer);
  const viewer = await send({ role: "viewer" });
  expectIssued(viewer);
  const guest = await send({ role: "guest" });
  expectOAuthError(guest, 403, "access_denied");
  const blocked = await send({ role: "payer", blocked: true });
  expectOAuthError(blocked, 403, "access_denied");
  const guest2 = await send({ role: "guest" }, other);
  expectOAuthError(guest2, 403, "access_denied");
  const id = (r: { headers: Headers }) => r.headers.get("x-request-id") as string;
  t = {
    zone: f.zone,
    set: f.activation!.set,
    recorded: f.activation!.versions[0]!.versionId,
    candidate: f.activation!.shadowVersions[0]!.versionId,
    recordedVersion: f.activation!.psv,
    candidateVersion: f.activation!.shadow!,
    ids: { payer: id(payer), viewer: id(viewer), guest: id(guest), blocked: id(blocked), guest2: id(guest2) },
    other,
    clientId: f.client.id,
  };
});

const replay = (body: Record<string, unknown>, set = t.set) => call("POST", `/v1/zones/${t.zone}/policy-sets/${set}/replay`, body);

describe("replay", () => {
  it("reports exactly the decisions the candidate flips, both ways, with the policy and rule before and after", async () => {
    const res = expectStatus(await replay({ version: t.candidateVersion }), 200);
    expect(res).toMatchObject({ replayed: 5, unchanged: 2, allow_to_deny: 1, deny_to_allow: 2, errors: 0, next_cursor: null });
    const flips = Object.fromEntries(res.flips.map((f: { request_id: string }) => [f.request_id, f]));
    expect(Object.keys(flips).sort()).toEqual([t.ids.viewer, t.ids.guest, t.ids.guest2].sort());
    expect(flips[t.ids.viewer]).toMatchObject({
      from: "allow",
      to: "deny",
      client_id: t.clientId,
      determining_policies_before: [{ policy_version_id: t.recorded, rule: "data.recorded.allow", location: { row: 5 } }],
      determining_policies_after: [{ policy_version_id: t.candidate, rule: "data.candidate.allow" }],
      reasons_before: [],
      reasons: [expect.stringContaining("allow is not true")],
      error: null,
    });
    expect(flips[t.ids.guest]).toMatchObject({
      from: "deny",
      to: "allow",
      determining_policies_before: [{ policy_version_id: t.recorded, rule: "data.recorded.allow" }],
      determining_policies_after: [{ policy_version_id: t.candidate, rule: "data.candidate.allow", location: { row: 5 } }],
      reasons: [],
    });
    expect(flips[t.ids.guest2].client_id).toBe(t.other.id);
  });

  it("replays the recorded version itself with no flips (exact input, request time included)", async () => {
    expect(expectStatus(await replay({ version: t.recordedVersion }), 200)).toMatchObject({
      replayed: 5,
      unchanged: 5,
      allow_to_deny: 0,
      deny_to_allow: 0,
      flips: [],
    });
  });

  it("pages with a cursor and filters by decision, client and time", async () => {
    const first = expectStatus(await replay({ version: t.candidateVersion, limit: 2 }), 200);
    expect(first.replayed).toBe(2);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = expectStatus(await replay({ version: t.candidateVersion, limit: 2, cursor: first.next_cursor }), 200);
    const third = expectStatus(await replay({ version: t.candidateVersion, limit: 2, cursor: second.next_cursor }), 200);
    expect(third).toMatchObject({ replayed: 1, next_cursor: null });
    const pages = [first, second, third];
    expect(pages.reduce((n, p) => n + p.allow_to_deny, 0)).toBe(1);
    expect(pages.reduce((n, p) => n + p.deny_to_allow, 0)).toBe(2);

    expect(expectStatus(await replay({ version: t.candidateVersion, decision: "allow" }), 200)).toMatchObject({
      replayed: 2,
      allow_to_deny: 1,
      deny_to_allow: 0,
    });
    expect(expectStatus(await replay({ version: t.candidateVersion, client: t.other.id }), 200)).toMatchObject({
      replayed: 1,
      deny_to_allow: 1,
    });
    expect(
      expectStatus(await replay({ version: t.candidateVersion, since: new Date(Date.now() + 60_000).toISOString() }), 200),
    ).toMatchObject({
      replayed: 0,
      flips: [],
    });
    expect(expectStatus(await replay({ version: t.candidateVersion, until: "2000-01-01T00:00:00Z" }), 200).replayed).toBe(0);
  });

  it("counts a candidate's evaluation errors, which fail closed (deny)", async () => {
    const broken = await newPolicy(t.zone, "package broken\n\nallow if count(input.subject.claims.role) / 0 > 1\n");
    const version = await newSetVersion(t.zone, t.set, [broken.versionId]);
    const res = expectStatus(await replay({ version }), 200);
    expect(res).toMatchObject({ replayed: 5, errors: 5, unchanged: 3, allow_to_deny: 2, deny_to_allow: 0 });
    expect(res.flips.map((f: { request_id: string }) => f.request_id).sort()).toEqual([t.ids.payer, t.ids.viewer].sort());
    expect(res.flips[0]).toMatchObject({
      to: "deny",
      error: { code: "eval_builtin_error" },
      determining_policies_after: [{ policy_version_id: broken.versionId, rule: "data.broken.allow" }],
    });
  });

  it("rejects bad requests with problem+json", async () => {
    expect(expectProblem(await replay({}), 400).errors[0].pointer).toBe("/version");
    expectProblem(await replay({ version: t.candidateVersion, limit: 501 }), 400);
    expectProblem(await replay({ version: t.candidateVersion, since: "yesterday" }), 400);
    expectProblem(await replay({ version: t.candidateVersion, extra: 1 }), 400);
    expectProblem(await replay({ version: t.candidateVersion, cursor: "nope" }), 400);
    expectProblem(await replay({ version: "psv-doesnotexist" }), 422);
    expectProblem(await replay({ version: t.candidateVersion }, "ps-doesnotexist"), 404);
  });
});

describe("replay of an exchange the policies allowed but the STS refused", () => {
  it("compares the policies' decision (allow), not the refusal recorded as deny", async () => {
    const f = await stsFixture(['package scoped\n\nallow := true\n\nscope := {"read"}\n']);
    const refused = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint(), { scope: "admin" }));
    expectOAuthError(refused, 400, "invalid_scope");
    const set = f.activation!.set;
    const same = expectStatus(await call("POST", `/v1/zones/${f.zone}/policy-sets/${set}/replay`, { version: f.activation!.psv }), 200);
    expect(same).toMatchObject({ replayed: 1, unchanged: 1, flips: [] });
    const denyAll = await newPolicy(f.zone, 'package closed\n\nallow := true\n\ndeny contains "closed"\n');
    const candidate = await newSetVersion(f.zone, set, [denyAll.versionId]);
    const res = expectStatus(await call("POST", `/v1/zones/${f.zone}/policy-sets/${set}/replay`, { version: candidate }), 200);
    expect(res).toMatchObject({ replayed: 1, allow_to_deny: 1 });
    expect(res.flips[0]).toMatchObject({
      request_id: refused.headers.get("x-request-id"),
      from: "allow",
      to: "deny",
      reasons_before: ["invalid_scope: none of the requested scopes may be granted"],
      reasons: [expect.stringContaining("closed")],
      determining_policies_after: [{ policy_version_id: denyAll.versionId, rule: "data.closed.deny" }],
    });
  });
});

describe("replay of a decision made before any policy ran", () => {
  it("leaves a may_act refusal unchanged: no candidate can allow it", async () => {
    const f = await stsFixture(["package open\n\nallow := true\n"]);
    const subject = await f.idp.mint({ may_act: { sub: "svc-a", iss: f.idp.issuer } });
    const actor = { actor_token: await f.idp.mint({ sub: "svc-b" }), actor_token_type: JWT_TYPE };
    expectOAuthError(await tokenRequest(f.zone, f.client, exchangeParams(subject, actor)), 403, "access_denied");
    const allowAll = await newPolicy(f.zone, "package wideopen\n\nallow := true\n");
    const candidate = await newSetVersion(f.zone, f.activation!.set, [allowAll.versionId]);
    const res = expectStatus(
      await call("POST", `/v1/zones/${f.zone}/policy-sets/${f.activation!.set}/replay`, { version: candidate }),
      200,
    );
    expect(res).toMatchObject({ replayed: 1, unchanged: 1, deny_to_allow: 0, flips: [] });
  });
});

describe("activation replay gate", () => {
  const activate = (body: Record<string, unknown>) => call("POST", `/v1/zones/${t.zone}/policy-sets/${t.set}/activate`, body);
  const detail = async () => expectStatus(await call("GET", `/v1/zones/${t.zone}/policy-sets/${t.set}`), 200);

  it("refuses an activation whose replay flips more than max_flips (409, nothing changed), then allows it with a higher threshold", async () => {
    const before = await detail();
    const refused = expectProblem(await activate({ version: t.candidateVersion, require_replay: true }), 409);
    expect(refused.detail).toContain("flips 3");
    expect(refused.errors.map((e: { message: string }) => e.message.split(":")[0]).sort()).toEqual(
      [t.ids.viewer, t.ids.guest, t.ids.guest2].sort(),
    );
    expectProblem(await activate({ version: t.candidateVersion, require_replay: true, max_flips: 2 }), 409);
    expect(await detail()).toEqual(before);

    // an old window holds no decisions: nothing flips
    const old = await activate({
      version: t.candidateVersion,
      require_replay: true,
      replay_since: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(old.status).toBe(200);
    // back to the recorded version, then through the gate with a threshold that admits the 3 flips
    expectStatus(await activate({ version: t.recordedVersion, shadow: t.candidateVersion }), 200);
    const allowed = expectStatus(await activate({ version: t.candidateVersion, require_replay: true, max_flips: 3 }), 200);
    expect(allowed.active_version_id).toBe(t.candidateVersion);
    expect((await detail()).history.length).toBe(before.history.length + 3);
    // restore the recorded version for the shadow report below
    expectStatus(await activate({ version: t.recordedVersion, shadow: t.candidateVersion }), 200);
    expectProblem(await activate({ version: t.candidateVersion, require_replay: true, max_flips: -1 }), 400);
  });
});

describe("shadow report", () => {
  it("counts shadow decisions, agreement, disagreements by direction and client, in time buckets, matching the audit", async () => {
    const report = expectStatus(await call("GET", `/v1/zones/${t.zone}/policy-sets/${t.set}/shadow-report`), 200);
    const audit = expectStatus(await call("GET", `/v1/zones/${t.zone}/audit?status=shadow&limit=100`), 200);
    expect(audit.items.length).toBe(5);
    expect(report).toMatchObject({
      policy_set_id: t.set,
      evaluated: audit.items.length,
      agreed: 2,
      allow_to_deny: 1,
      deny_to_allow: 2,
      agreement_rate: 2 / 5,
      shadow_errors: 0,
      unpaired: 0,
      truncated: false,
      shadow_versions: [t.candidateVersion],
    });
    expect(report.examples.allow_to_deny).toEqual([t.ids.viewer]);
    expect(report.examples.deny_to_allow.sort()).toEqual([t.ids.guest, t.ids.guest2].sort());
    const byClient = Object.fromEntries(report.by_client.map((c: { client_id: string }) => [c.client_id, c]));
    expect(byClient[t.clientId]).toMatchObject({ evaluated: 4, agreed: 2, allow_to_deny: 1, deny_to_allow: 1 });
    expect(byClient[t.other.id]).toMatchObject({ evaluated: 1, agreed: 0, deny_to_allow: 1, examples: [t.ids.guest2] });
    const bucketed = report.buckets.reduce((n: number, b: { evaluated: number }) => n + b.evaluated, 0);
    expect(bucketed).toBe(5);
    for (const b of report.buckets) expect(b.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/);

    const daily = expectStatus(await call("GET", `/v1/zones/${t.zone}/policy-sets/${t.set}/shadow-report?bucket=day`), 200);
    for (const b of daily.buckets) expect(b.start).toMatch(/T00:00:00\.000Z$/);
    const empty = expectStatus(
      await call("GET", `/v1/zones/${t.zone}/policy-sets/${t.set}/shadow-report?since=2000-01-01T00:00:00Z&until=2000-01-02T00:00:00Z`),
      200,
    );
    expect(empty).toMatchObject({ evaluated: 0, agreement_rate: null, buckets: [], by_client: [] });
    expectProblem(await call("GET", `/v1/zones/${t.zone}/policy-sets/${t.set}/shadow-report?since=yesterday`), 400);
    expectProblem(await call("GET", `/v1/zones/${t.zone}/policy-sets/ps-doesnotexist/shadow-report`), 404);
  });
});
