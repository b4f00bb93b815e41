/** Policy versions: immutable, content-addressed, compiled on creation. */
import { createRoute } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { policies, policyVersions } from "../../../schema/index.js";
import { database, found } from "../../db.js";
import { compileVersion, sourceDigest, versionSummaryColumns } from "../policy-versions.js";
import { jsonBody, jsonResponse, PolicyParams, PolicyVersionParams, problems } from "../schemas/common.js";
import {
  CreatePolicyVersionRequest,
  PolicyVersion,
  PolicyVersionDetail,
  policyVersionDetailView,
  policyVersionView,
} from "../schemas/policies.js";
import { newRouter } from "../router.js";

export const policyVersionsRouter = newRouter();

const createPolicyVersion = createRoute({
  method: "post",
  path: "/zones/{zone}/policies/{policy}/versions",
  tags: ["policies"],
  summary: "Add a version to a policy",
  description:
    "Versions are identified by the SHA-256 of their source: the same source (and Rego version) again returns the existing version with 200.",
  request: { params: PolicyParams, body: jsonBody(CreatePolicyVersionRequest) },
  responses: {
    200: jsonResponse(PolicyVersion, "The existing version with this content"),
    201: jsonResponse(PolicyVersion, "The new version"),
    ...problems(404, 413, 415, 422),
  },
});

policyVersionsRouter.openapi(createPolicyVersion, async (c) => {
  const { zone, policy } = c.req.valid("param");
  const { source, rego_version } = c.req.valid("json");
  const digest = await sourceDigest(source);
  const db = database(c.env);
  const sameContent = () =>
    db
      .select(versionSummaryColumns)
      .from(policyVersions)
      .where(
        and(
          eq(policyVersions.policyId, policy),
          eq(policyVersions.zoneId, zone),
          eq(policyVersions.sourceSha256, digest),
          eq(policyVersions.regoVersion, rego_version),
        ),
      );
  const [policyRows, existing] = await db.batch([
    db
      .select()
      .from(policies)
      .where(and(eq(policies.id, policy), eq(policies.zoneId, zone))),
    sameContent(),
  ]);
  const owner = found(policyRows, "policy");
  if (existing[0]) return c.json(policyVersionView(existing[0]), 200);

  const version = compileVersion(owner, { source, regoVersion: rego_version }, digest);
  const inserted = await db.insert(policyVersions).values(version).onConflictDoNothing().returning({ id: policyVersions.id });
  if (inserted.length > 0) return c.json(policyVersionView(version), 201);
  // A concurrent request stored the same content first: answer with its version.
  return c.json(policyVersionView(found(await sameContent(), "policy version")), 200);
});

const getPolicyVersion = createRoute({
  method: "get",
  path: "/zones/{zone}/policies/{policy}/versions/{version}",
  tags: ["policies"],
  summary: "Get a policy version with its source",
  request: { params: PolicyVersionParams },
  responses: { 200: jsonResponse(PolicyVersionDetail, "The version"), ...problems(404) },
});

policyVersionsRouter.openapi(getPolicyVersion, async (c) => {
  const { zone, policy, version } = c.req.valid("param");
  const rows = await database(c.env)
    .select({ ...versionSummaryColumns, source: policyVersions.source })
    .from(policyVersions)
    .where(and(eq(policyVersions.id, version), eq(policyVersions.policyId, policy), eq(policyVersions.zoneId, zone)));
  return c.json(policyVersionDetailView(found(rows, "policy version")), 200);
});
