/** Policy-set versions: immutable ordered lists of policy versions of the zone. */
import { createRoute } from "@hono/zod-openapi";
import { and, eq, inArray } from "drizzle-orm";
import { policySetVersions, policyVersions } from "../../../schema/index.js";
import { sha256Hex } from "../../crypto.js";
import { invalidReference } from "../../http/problem.js";
import { newId } from "../../ids.js";
import { database, found, nowIso } from "../../db.js";
import { jsonBody, jsonResponse, PolicySetParams, PolicySetVersionParams, problems } from "../schemas/common.js";
import { CreatePolicySetVersionRequest, PolicySetVersion, policySetVersionView } from "../schemas/policy-sets.js";
import { runSetVersionTests } from "../policy-tests.js";
import { newRouter } from "../router.js";
import { policySetIdOfZone } from "../zone-rows.js";

export const policySetVersionsRouter = newRouter();

const createPolicySetVersion = createRoute({
  method: "post",
  path: "/zones/{zone}/policy-sets/{set}/versions",
  tags: ["policy sets"],
  summary: "Add a version (an ordered list of policy versions) to a policy set",
  description:
    "The same list again returns the existing version with 200. With `run_tests: true` the `*_test.rego` tests of every " +
    "member's bundle run first; a failing one refuses the request with 422 (`policy_test_failed`), nothing written.",
  request: { params: PolicySetParams, body: jsonBody(CreatePolicySetVersionRequest) },
  responses: {
    200: jsonResponse(PolicySetVersion, "The existing version with this list"),
    201: jsonResponse(PolicySetVersion, "The new version"),
    ...problems(404, 413, 415, 422),
  },
});

policySetVersionsRouter.openapi(createPolicySetVersion, async (c) => {
  const { zone, set } = c.req.valid("param");
  const { policy_version_ids: ids, run_tests: runGate } = c.req.valid("json");
  const digest = await sha256Hex(JSON.stringify(ids));
  const db = database(c.env);
  const sameList = () =>
    db
      .select()
      .from(policySetVersions)
      .where(and(eq(policySetVersions.policySetId, set), eq(policySetVersions.zoneId, zone), eq(policySetVersions.listSha256, digest)));
  const [setRows, existing, members] = await db.batch([
    policySetIdOfZone(db, zone, set),
    sameList(),
    db
      .select({ id: policyVersions.id })
      .from(policyVersions)
      .where(and(inArray(policyVersions.id, ids), eq(policyVersions.zoneId, zone))),
  ]);
  found(setRows, "policy set");
  const known = new Set(members.map((m) => m.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (!existing[0] && unknown.length > 0) throw invalidReference(`not policy versions of this zone: ${unknown.join(", ")}`);
  // The gate runs before anything is written, and also for an existing list: a caller that asks for
  // the tests (a CI step before activation) gets their verdict, not a silent 200.
  const tests = runGate === true ? { tests: await runSetVersionTests(db, zone, ids) } : {};
  if (existing[0]) return c.json({ ...policySetVersionView(existing[0]), ...tests }, 200);

  const row = { id: newId("psv"), policySetId: set, zoneId: zone, policyVersionIds: ids, listSha256: digest, createdAt: nowIso() };
  const inserted = await db.insert(policySetVersions).values(row).onConflictDoNothing().returning({ id: policySetVersions.id });
  if (inserted.length > 0) return c.json({ ...policySetVersionView(row), ...tests }, 201);
  // A concurrent request stored the same list first: answer with its version.
  return c.json({ ...policySetVersionView(found(await sameList(), "policy-set version")), ...tests }, 200);
});

const getPolicySetVersion = createRoute({
  method: "get",
  path: "/zones/{zone}/policy-sets/{set}/versions/{version}",
  tags: ["policy sets"],
  summary: "Get a policy-set version",
  request: { params: PolicySetVersionParams },
  responses: { 200: jsonResponse(PolicySetVersion, "The version"), ...problems(404) },
});

policySetVersionsRouter.openapi(getPolicySetVersion, async (c) => {
  const { zone, set, version } = c.req.valid("param");
  const rows = await database(c.env)
    .select()
    .from(policySetVersions)
    .where(and(eq(policySetVersions.id, version), eq(policySetVersions.policySetId, set), eq(policySetVersions.zoneId, zone)));
  return c.json(policySetVersionView(found(rows, "policy-set version")), 200);
});
