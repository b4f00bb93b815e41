/** Policy sets: named in a zone; one of them is the zone's active set. */
import { createRoute } from "@hono/zod-openapi";
import { and, asc, eq } from "drizzle-orm";
import { activationHistory, policySets, policySetVersions, zoneActivations } from "../../../schema/index.js";
import { conflict } from "../../http/problem.js";
import { newId } from "../../ids.js";
import { database, found, nowIso, zoneLookup } from "../../db.js";
import { zonePage } from "../zone-page.js";
import { pageOrder } from "../pagination.js";
import { activationView, historyView } from "../schemas/activation.js";
import { reportingIsolates } from "../../distribution/isolates.js";
import type { Env } from "../../env.js";
import { jsonBody, jsonResponse, PageQuery, PolicySetParams, problems, ZoneParams } from "../schemas/common.js";
import {
  CreatePolicySetRequest,
  PolicySet,
  PolicySetDetail,
  PolicySetPage,
  policySetVersionView,
  policySetView,
} from "../schemas/policy-sets.js";
import { newRouter } from "../router.js";

export const policySetsRouter = newRouter();

const createPolicySet = createRoute({
  method: "post",
  path: "/zones/{zone}/policy-sets",
  tags: ["policy sets"],
  summary: "Create a policy set",
  request: { params: ZoneParams, body: jsonBody(CreatePolicySetRequest) },
  responses: { 201: jsonResponse(PolicySet, "The new policy set"), ...problems(404, 409, 413, 415) },
});

policySetsRouter.openapi(createPolicySet, async (c) => {
  const { zone } = c.req.valid("param");
  const { name } = c.req.valid("json");
  const db = database(c.env);
  found(await zoneLookup(db, zone), "zone");
  const row = { id: newId("ps"), zoneId: zone, name, createdAt: nowIso() };
  const inserted = await db.insert(policySets).values(row).onConflictDoNothing().returning({ id: policySets.id });
  if (inserted.length === 0) throw conflict(`a policy set named "${name}" already exists in this zone`);
  return c.json(policySetView(row), 201);
});

const listPolicySets = createRoute({
  method: "get",
  path: "/zones/{zone}/policy-sets",
  tags: ["policy sets"],
  summary: "List the zone's policy sets in creation order",
  request: { params: ZoneParams, query: PageQuery },
  responses: { 200: jsonResponse(PolicySetPage, "A page of policy sets"), ...problems(404) },
});

policySetsRouter.openapi(listPolicySets, async (c) => {
  const { zone } = c.req.valid("param");
  return c.json(await zonePage(c.env, zone, policySets, c.req.valid("query"), policySetView), 200);
});

const getPolicySet = createRoute({
  method: "get",
  path: "/zones/{zone}/policy-sets/{set}",
  tags: ["policy sets"],
  summary: "Get a policy set with its versions, activation and activation history",
  request: { params: PolicySetParams },
  responses: { 200: jsonResponse(PolicySetDetail, "The policy set"), ...problems(404) },
});

/** How many isolates report running the zone's active version (best effort: Redis may be down). */
async function isolateCounts(env: Env, zone: string, active: string): Promise<{ reporting: number; running_active: number } | null> {
  try {
    const isolates = await reportingIsolates(env, zone);
    if (!isolates) return null;
    const versions = [...isolates.values()];
    return { reporting: versions.length, running_active: versions.filter((v) => v.policySetVersion === active).length };
  } catch (err) {
    console.warn("isolate reports unavailable", err);
    return null;
  }
}

policySetsRouter.openapi(getPolicySet, async (c) => {
  const { zone, set } = c.req.valid("param");
  const db = database(c.env);
  const [setRows, versionRows, pointerRows, historyRows] = await db.batch([
    db
      .select()
      .from(policySets)
      .where(and(eq(policySets.id, set), eq(policySets.zoneId, zone))),
    db
      .select()
      .from(policySetVersions)
      .where(and(eq(policySetVersions.policySetId, set), eq(policySetVersions.zoneId, zone)))
      .orderBy(...pageOrder(policySetVersions)),
    db
      .select()
      .from(zoneActivations)
      .where(and(eq(zoneActivations.zoneId, zone), eq(zoneActivations.policySetId, set))),
    db
      .select()
      .from(activationHistory)
      .where(and(eq(activationHistory.policySetId, set), eq(activationHistory.zoneId, zone)))
      .orderBy(asc(activationHistory.seq)),
  ]);
  const row = found(setRows, "policy set");
  const pointer = pointerRows[0];
  return c.json(
    {
      ...policySetView(row),
      versions: versionRows.map(policySetVersionView),
      activation: pointer ? activationView(pointer) : null,
      history: historyRows.map(historyView),
      isolates: pointer ? await isolateCounts(c.env, zone, pointer.policySetVersionId) : null,
    },
    200,
  );
});
