import { describe, expect, it } from "vitest";
import { drizzle } from "drizzle-orm/d1";
import { blobWrites, prepareBlob, readBlobs } from "../../workers/bundle/blobs.js";
import { decodePlan, fromJS, isCompactPlanText, toJSONText, type PreparedPolicy } from "../../workers/rego/index.js";
import { ZoneCache } from "../../workers/sts/zone-cache.js";
import { ALLOW_POLICY, call, expectProblem, expectStatus, newPolicy, newPolicySet, newSetVersion, newZone, uniqueName } from "./helpers.js";

const V2 = ALLOW_POLICY + '\ndeny contains "blocked" if input.subject.claims.blocked\n';

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

describe("policies", () => {
  it("creates a policy with its first, compiled version", async () => {
    const zone = await newZone();
    const name = uniqueName("payments");
    const body = expectStatus(await call("POST", `/v1/zones/${zone}/policies`, { name, source: ALLOW_POLICY }), 201);
    expect(body).toEqual({
      id: expect.stringMatching(/^pol-[a-z0-9]{12}$/),
      zone_id: zone,
      name,
      created_at: expect.any(String),
      versions: [
        {
          id: expect.stringMatching(/^pv-[a-z0-9]{12}$/),
          policy_id: body.id,
          zone_id: zone,
          // the digest of a bundle of one file, named after the policy
          sha256: await sha256Hex(`${await sha256Hex(ALLOW_POLICY)}  ${name}.rego\n`),
          rego_version: 1,
          package: "payments",
          revision: null,
          file_count: 1,
          engine: "rego",
          created_at: expect.any(String),
        },
      ],
      warnings: [],
    });
  });

  it("gets a policy with its versions and lists policies", async () => {
    const zone = await newZone();
    const first = await newPolicy(zone);
    const second = await newPolicy(zone);
    const v2 = expectStatus(await call("POST", `/v1/zones/${zone}/policies/${first.id}/versions`, { source: V2 }), 201);

    const got = expectStatus(await call("GET", `/v1/zones/${zone}/policies/${first.id}`), 200);
    expect(got.versions.map((v: { id: string }) => v.id)).toEqual([first.versionId, v2.id]);

    const page = expectStatus(await call("GET", `/v1/zones/${zone}/policies`), 200);
    expect(page.items.map((p: { id: string }) => p.id)).toEqual([first.id, second.id]);
    expect(page.next_cursor).toBeNull();
    const firstPage = expectStatus(await call("GET", `/v1/zones/${zone}/policies?limit=1`), 200);
    expect(firstPage.items.map((p: { id: string }) => p.id)).toEqual([first.id]);
    const rest = expectStatus(await call("GET", `/v1/zones/${zone}/policies?limit=1&cursor=${firstPage.next_cursor}`), 200);
    expect(rest.items.map((p: { id: string }) => p.id)).toEqual([second.id]);
  });

  it("rejects a duplicate name in the same zone with 409, but not in another zone", async () => {
    const zone = await newZone();
    const name = uniqueName("dup");
    expectStatus(await call("POST", `/v1/zones/${zone}/policies`, { name, source: ALLOW_POLICY }), 201);
    expectProblem(await call("POST", `/v1/zones/${zone}/policies`, { name, source: V2 }), 409);
    expectStatus(await call("POST", `/v1/zones/${await newZone()}/policies`, { name, source: ALLOW_POLICY }), 201);
  });

  it("rejects Rego that does not compile with 422 and every error's location", async () => {
    const zone = await newZone();
    const name = uniqueName("broken");
    const source = 'package broken\n\nallow if {\n  x > 1\n}\n\ndeny contains "no" if {\n  input.a == y\n}\n';
    const problem = expectProblem(await call("POST", `/v1/zones/${zone}/policies`, { name, source }), 422);
    expect(problem.errors).toEqual([
      { code: "rego_unsafe_var_error", message: "var x is unsafe", location: { file: `${name}.rego`, row: 4, col: 3 } },
      expect.objectContaining({ code: "rego_unsafe_var_error", location: expect.objectContaining({ row: 8 }) }),
    ]);
    const parse = expectProblem(await call("POST", `/v1/zones/${zone}/policies`, { name, source: "package p\nallow if {\n" }), 422);
    expect(parse.errors[0]).toMatchObject({
      code: "rego_parse_error",
      location: { file: `${name}.rego`, row: expect.any(Number), col: expect.any(Number) },
    });
    // nothing was stored
    expect(expectStatus(await call("GET", `/v1/zones/${zone}/policies`), 200).items).toEqual([]);
  });

  it("rejects missing, unknown and invalid fields with 400", async () => {
    const zone = await newZone();
    expectProblem(await call("POST", `/v1/zones/${zone}/policies`, { name: uniqueName("p") }), 400);
    expectProblem(await call("POST", `/v1/zones/${zone}/policies`, { source: ALLOW_POLICY }), 400);
    expectProblem(await call("POST", `/v1/zones/${zone}/policies`, { name: uniqueName("p"), source: ALLOW_POLICY, extra: 1 }), 400);
    expectProblem(await call("POST", `/v1/zones/${zone}/policies`, { name: uniqueName("p"), source: ALLOW_POLICY, rego_version: 2 }), 400);
    expectProblem(await call("POST", `/v1/zones/${zone}/policies`, { name: uniqueName("p"), source: "" }), 400);
    expectProblem(await call("POST", `/v1/zones/${zone}/policies`, undefined, { raw: '{"name": "x",' }), 400);
  });

  it("rejects oversized bodies and sources with 413", async () => {
    const zone = await newZone();
    const padding = `# ${"x".repeat(1000)}\n`;
    const bigSource = ALLOW_POLICY + padding.repeat(140); // > 128 KiB source, < 256 KiB body
    const source = expectProblem(await call("POST", `/v1/zones/${zone}/policies`, { name: uniqueName("big"), source: bigSource }), 413);
    expect(source.detail).toContain("policy sources");
    const huge = padding.repeat(300); // > 256 KiB body: over the cap of every route but version uploads
    const body = expectProblem(await call("POST", `/v1/zones/${zone}/policy-sets`, { name: huge }), 413);
    expect(body.detail).toContain("request bodies");
    const hugeUpload = ALLOW_POLICY + `# ${"x".repeat(17 * 1024 * 1024)}\n`; // > 16 MiB: over the cap of version uploads
    const upload = expectProblem(await call("POST", `/v1/zones/${zone}/policies`, { name: uniqueName("huge"), source: hugeUpload }), 413);
    expect(upload.detail).toContain("policy version uploads");
  });

  it("answers 404 for unknown policies and for policies of another zone", async () => {
    const zone = await newZone();
    const other = await newZone();
    const policy = await newPolicy(other);
    expectProblem(await call("GET", `/v1/zones/${zone}/policies/pol-unknownunkno`), 404);
    const foreign = expectProblem(await call("GET", `/v1/zones/${zone}/policies/${policy.id}`), 404);
    const unknown = expectProblem(await call("GET", `/v1/zones/${zone}/policies/pol-unknownunkno`), 404);
    expect(foreign.detail).toBe(unknown.detail);
    expectProblem(await call("POST", `/v1/zones/${zone}/policies/${policy.id}/versions`, { source: V2 }), 404);
    expectProblem(await call("GET", `/v1/zones/${zone}/policies/${policy.id}/versions/${policy.versionId}`), 404);
    expectProblem(await call("POST", `/v1/zones/zn-unknownunkno/policies`, { name: uniqueName("p"), source: ALLOW_POLICY }), 404);
  });
});

describe("policy versions", () => {
  it("returns the existing version with 200 for the same content, a new one with 201 otherwise", async () => {
    const zone = await newZone();
    const policy = await newPolicy(zone);
    const path = `/v1/zones/${zone}/policies/${policy.id}/versions`;
    const again = expectStatus(await call("POST", path, { source: ALLOW_POLICY }), 200);
    expect(again.id).toBe(policy.versionId);
    const v2 = expectStatus(await call("POST", path, { source: V2 }), 201);
    expect(v2.id).not.toBe(policy.versionId);
    expect(expectStatus(await call("POST", path, { source: V2 }), 200).id).toBe(v2.id);
    const got = expectStatus(await call("GET", `/v1/zones/${zone}/policies/${policy.id}`), 200);
    expect(got.versions).toHaveLength(2);
  });

  it("keeps Rego v0 versions apart from v1 versions of the same source", async () => {
    const zone = await newZone();
    const v0Source = 'package legacy\n\nallow { input.subject.claims.role == "payer" }\n\ndeny[msg] { msg := "never" ; false }\n';
    const path = `/v1/zones/${zone}/policies`;
    expectProblem(await call("POST", path, { name: uniqueName("legacy"), source: v0Source }), 422);
    const created = expectStatus(await call("POST", path, { name: uniqueName("legacy"), source: v0Source, rego_version: 0 }), 201);
    expect(created.versions[0]).toMatchObject({ rego_version: 0, package: "legacy" });
    const same = expectStatus(await call("POST", `${path}/${created.id}/versions`, { source: v0Source, rego_version: 0 }), 200);
    expect(same.id).toBe(created.versions[0].id);
  });

  it("gets one version with its source", async () => {
    const zone = await newZone();
    const policy = await newPolicy(zone);
    const got = expectStatus(await call("GET", `/v1/zones/${zone}/policies/${policy.id}/versions/${policy.versionId}`), 200);
    expect(got).toMatchObject({ id: policy.versionId, policy_id: policy.id, source: ALLOW_POLICY, rego_version: 1 });
    expect(got.plan).toBeUndefined();
    expectProblem(await call("GET", `/v1/zones/${zone}/policies/${policy.id}/versions/pv-unknownunkno`), 404);
  });

  it("rejects a version that does not compile with 422", async () => {
    const zone = await newZone();
    const policy = await newPolicy(zone);
    const problem = expectProblem(
      await call("POST", `/v1/zones/${zone}/policies/${policy.id}/versions`, { source: "package payments\n\nallow if undefined_fn(1)\n" }),
      422,
    );
    expect(problem.errors[0].location).toMatchObject({ row: 3 });
  });

  it("stores the compiled plan with the version", async () => {
    const { env } = await import("cloudflare:workers");
    const zone = await newZone();
    const policy = await newPolicy(zone);
    const row = await env.DB.prepare("SELECT plan_blob, package FROM policy_versions WHERE id = ?")
      .bind(policy.versionId)
      .first<{ plan_blob: string; package: string }>();
    // stored as a content-addressed blob (in chunks), not inline in the version's row
    const blobs = await readBlobs(drizzle(env.DB), zone, [row!.plan_blob]);
    const text = blobs.get(row!.plan_blob) as string;
    // in the compact form (workers/rego/plan/compact.ts), which decodes to the plan
    expect(isCompactPlanText(text)).toBe(true);
    const plan = decodePlan(text);
    expect(plan.plans.plans.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(["payments/allow", "payments/deny", "payments/ttl", "payments/scope", "payments/claims"]),
    );
  });

  it("still loads versions stored with plan JSON, in a blob or inline, beside compact ones", async () => {
    const { env } = await import("cloudflare:workers");
    const db = drizzle(env.DB);
    const zone = await newZone();
    const compact = await newPolicy(zone);
    const fromBlob = await newPolicy(zone, `${ALLOW_POLICY}\ndeny contains "blob" if input.x\n`);
    const inline = await newPolicy(zone, `${ALLOW_POLICY}\ndeny contains "inline" if input.x\n`);
    // Rewrite two versions as versions made before the compact form stored them: plan JSON as a
    // content-addressed blob, and plan JSON inline in the row (versions made before bundles).
    const planJSON = async (versionId: string) => {
      const row = await env.DB.prepare("SELECT plan_blob FROM policy_versions WHERE id = ?").bind(versionId).first<{ plan_blob: string }>();
      return JSON.stringify(decodePlan((await readBlobs(db, zone, [row!.plan_blob])).get(row!.plan_blob) as string));
    };
    const jsonBlob = await prepareBlob(await planJSON(fromBlob.versionId));
    await db.batch(blobWrites(db, zone, [jsonBlob], new Date().toISOString()) as never);
    await env.DB.prepare("UPDATE policy_versions SET plan_blob = ? WHERE id = ?").bind(jsonBlob.sha256, fromBlob.versionId).run();
    await env.DB.prepare("UPDATE policy_versions SET plan = ?, plan_blob = NULL, data_blob = NULL WHERE id = ?")
      .bind(await planJSON(inline.versionId), inline.versionId)
      .run();

    const set = await newPolicySet(zone);
    const version = await newSetVersion(zone, set, [compact.versionId, fromBlob.versionId, inline.versionId]);
    expectStatus(await call("POST", `/v1/zones/${zone}/policy-sets/${set}/activate`, { version }), 200);
    const snapshot = await new ZoneCache().get(env as never, zone);
    const policies = snapshot?.active?.policies ?? [];
    expect(policies.map((p) => p.policyVersionId)).toEqual([compact.versionId, fromBlob.versionId, inline.versionId]);
    const input = fromJS({ subject: { claims: { role: "payer" } }, x: true });
    const answers = policies.map((p) => {
      const prepared = p.prepared as PreparedPolicy;
      expect(typeof prepared.evaluateSync).toBe("function");
      return ["payments/allow", "payments/deny"].map((e) => toJSONText(prepared.evaluateSync(e, { input }).results));
    });
    expect(answers).toEqual([
      ['[{"result":true}]', "[]"], // no deny rule: undefined
      ['[{"result":true}]', '[{"result":["blob"]}]'],
      ['[{"result":true}]', '[{"result":["inline"]}]'],
    ]);
  });
});
