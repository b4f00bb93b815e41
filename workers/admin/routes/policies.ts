/** Policies: named Rego documents of a zone, created with their first version. */
import { createRoute } from "@hono/zod-openapi";
import type { BatchItem } from "drizzle-orm/batch";
import { and, eq } from "drizzle-orm";
import { policies, policyVersions } from "../../../schema/index.js";
import { conflict } from "../../http/problem.js";
import { newId } from "../../ids.js";
import { database, found, nowIso, zoneLookup } from "../../db.js";
import { zonePage } from "../zone-page.js";
import { pageOrder } from "../pagination.js";
import {
  checkSignature,
  uploadSignature,
  compileVersion,
  effectiveRegoVersion,
  uploadedVersion,
  versionSummaryColumns,
  type WasmUpload,
  wasmVersion,
} from "../policy-versions.js";
import { jsonBody, jsonResponse, PageQuery, PolicyParams, problems, ZoneParams } from "../schemas/common.js";
import { CreatePolicyRequest, PolicyDetail, PolicyPage, policyVersionView, policyView } from "../schemas/policies.js";
import { newRouter } from "../router.js";
import { policyOfZone } from "../zone-rows.js";

export const policiesRouter = newRouter();

const createPolicy = createRoute({
  method: "post",
  path: "/zones/{zone}/policies",
  tags: ["policies"],
  summary: "Create a policy with its first version",
  description:
    "The first version is a bundle given as `source`, `files` or `bundle` (tar.gz); it is checked and compiled first: a bad bundle is 413/422 naming the file, a Rego error 422 with every error's location.",
  request: { params: ZoneParams, body: jsonBody(CreatePolicyRequest) },
  responses: { 201: jsonResponse(PolicyDetail, "The new policy and its first version"), ...problems(404, 409, 413, 415, 422) },
});

policiesRouter.openapi(createPolicy, async (c) => {
  const { zone } = c.req.valid("param");
  const upload = c.req.valid("json");
  const { name } = upload;
  const uploaded = await uploadedVersion(name, upload);
  const bundle = uploaded.kind === "rego" ? uploaded.bundle : null;
  const regoVersion = bundle ? effectiveRegoVersion(bundle, upload.rego_version) : 1;
  const db = database(c.env);
  const nameTaken = () =>
    db
      .select({ id: policies.id })
      .from(policies)
      .where(and(eq(policies.zoneId, zone), eq(policies.name, name)));
  const [zoneRows, sameName] = await db.batch([zoneLookup(db, zone), nameTaken()]);
  found(zoneRows, "zone");
  await checkSignature(db, zone, uploadSignature(uploaded));
  const nameConflict = conflict(`a policy named "${name}" already exists in this zone`);
  if (sameName.length > 0) throw nameConflict;

  const policy = { id: newId("pol"), zoneId: zone, name, createdAt: nowIso() };
  let version: typeof policyVersions.$inferSelect;
  let statements: BatchItem<"sqlite">[];
  // Near misses of the decision rules' names (workers/policy/contract.ts); a Wasm module has no rule names.
  let warnings: Awaited<ReturnType<typeof compileVersion>>["warnings"] = [];
  if (bundle) {
    const compiled = await compileVersion(db, policy, bundle, { regoVersion, package: upload.package });
    version = compiled.row;
    warnings = compiled.warnings;
    statements = [...compiled.writes, db.insert(policyVersions).values(version)];
  } else {
    // An `opa build -t wasm` archive: the first version is a Wasm version (workers/wasm/store.ts).
    const wasm = await wasmVersion(db, c.env, policy, (uploaded as { kind: "wasm"; wasm: WasmUpload }).wasm, upload.package);
    version = wasm.row;
    statements = wasm.statements;
  }
  try {
    // One batch, one transaction: the policy, its first version and the version's blobs, or nothing.
    await db.batch([db.insert(policies).values(policy), ...statements]);
  } catch (err) {
    // A concurrent create took the name between our check and the insert.
    if ((await nameTaken()).length > 0) throw nameConflict;
    throw err;
  }
  return c.json({ ...policyView(policy), versions: [policyVersionView(version)], warnings }, 201);
});

const listPolicies = createRoute({
  method: "get",
  path: "/zones/{zone}/policies",
  tags: ["policies"],
  summary: "List the zone's policies in creation order",
  request: { params: ZoneParams, query: PageQuery },
  responses: { 200: jsonResponse(PolicyPage, "A page of policies"), ...problems(404) },
});

policiesRouter.openapi(listPolicies, async (c) => {
  const { zone } = c.req.valid("param");
  return c.json(await zonePage(c.env, zone, policies, c.req.valid("query"), policyView), 200);
});

const getPolicy = createRoute({
  method: "get",
  path: "/zones/{zone}/policies/{policy}",
  tags: ["policies"],
  summary: "Get a policy with its versions",
  request: { params: PolicyParams },
  responses: { 200: jsonResponse(PolicyDetail, "The policy"), ...problems(404) },
});

policiesRouter.openapi(getPolicy, async (c) => {
  const { zone, policy } = c.req.valid("param");
  const db = database(c.env);
  const [policyRows, versionRows] = await db.batch([
    policyOfZone(db, zone, policy),
    db
      .select(versionSummaryColumns)
      .from(policyVersions)
      .where(and(eq(policyVersions.policyId, policy), eq(policyVersions.zoneId, zone)))
      .orderBy(...pageOrder(policyVersions)),
  ]);
  const row = found(policyRows, "policy");
  return c.json({ ...policyView(row), versions: versionRows.map(policyVersionView) }, 200);
});
