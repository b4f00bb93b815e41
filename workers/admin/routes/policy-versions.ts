/** Policy versions: immutable bundles, content-addressed, compiled on creation. */
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { policies, policyVersions } from "../../../schema/index.js";
import { database, found } from "../../db.js";
import {
  checkSamePackage,
  checkSignature,
  uploadSignature,
  compileVersion,
  effectiveRegoVersion,
  exportArchive,
  sameContent,
  uploadedVersion,
  storeWasmVersion,
  versionFiles,
  versionSummaryColumns,
} from "../policy-versions.js";
import { jsonBody, jsonResponse, PolicyParams, PolicyVersionParams, problems, ZoneParams } from "../schemas/common.js";
import {
  CreatePolicyVersionRequest,
  PolicyVersion,
  PolicyVersionDetail,
  policyVersionDetailView,
  policyVersionView,
} from "../schemas/policies.js";
import { Problem } from "../../http/problem.js";
import { newRouter } from "../router.js";
import { policyOfZone } from "../zone-rows.js";

export const policyVersionsRouter = newRouter();

const createPolicyVersion = createRoute({
  method: "post",
  path: "/zones/{zone}/policies/{policy}/versions",
  tags: ["policies"],
  summary: "Add a version to a policy",
  description:
    "A version is a bundle (`source`, `files` or a tar.gz `bundle`) identified by the SHA-256 digest of its files: the same files (and Rego version) again return the existing version with 200, however they were uploaded.",
  request: { params: PolicyParams, body: jsonBody(CreatePolicyVersionRequest) },
  responses: {
    200: jsonResponse(PolicyVersion, "The existing version with this content"),
    201: jsonResponse(PolicyVersion, "The new version"),
    ...problems(404, 409, 413, 415, 422),
  },
});

policyVersionsRouter.openapi(createPolicyVersion, async (c) => {
  const { zone, policy } = c.req.valid("param");
  const upload = c.req.valid("json");
  const db = database(c.env);
  const owner = found(await policyOfZone(db, zone, policy), "policy");
  const uploaded = await uploadedVersion(owner.name, upload);
  await checkSignature(db, zone, uploadSignature(uploaded));
  if (uploaded.kind === "wasm") {
    // An `opa build -t wasm` archive: a Wasm version, identified by its bundle digest like any bundle.
    const { version, created } = await storeWasmVersion(db, c.env, owner, uploaded.wasm, upload.package);
    return c.json(policyVersionView(version), created ? 201 : 200);
  }
  const bundle = uploaded.bundle;
  const regoVersion = effectiveRegoVersion(bundle, upload.rego_version);
  const existing = (await sameContent(db, policy, zone, bundle.digest, regoVersion))[0];
  if (existing) {
    checkSamePackage(existing, upload.package);
    return c.json(policyVersionView(existing), 200);
  }

  const { row, writes, warnings } = await compileVersion(db, owner, bundle, { regoVersion, package: upload.package });
  const insert = db.insert(policyVersions).values(row).onConflictDoNothing().returning({ id: policyVersions.id });
  // One batch, one transaction: the version and its blobs, or nothing.
  const results = await db.batch([insert, ...writes]);
  const inserted = results[0];
  if (inserted.length > 0) return c.json({ ...policyVersionView(row), warnings }, 201);
  // A concurrent request stored the same content first: answer with its version.
  return c.json(policyVersionView(found(await sameContent(db, policy, zone, bundle.digest, regoVersion), "policy version")), 200);
});

const getPolicyVersion = createRoute({
  method: "get",
  path: "/zones/{zone}/policies/{policy}/versions/{version}",
  tags: ["policies"],
  summary: "Get a policy version with its files",
  request: { params: PolicyVersionParams },
  responses: { 200: jsonResponse(PolicyVersionDetail, "The version"), ...problems(404) },
});

/** A version of the zone (of `policy`, when given) with its files. */
async function storedVersion(env: Parameters<typeof database>[0], zone: string, policy: string | undefined, version: string) {
  const db = database(env);
  const rows = await db
    .select({ ...versionSummaryColumns, source: policyVersions.source, filesBlob: policyVersions.filesBlob, policyName: policies.name })
    .from(policyVersions)
    .innerJoin(policies, eq(policies.id, policyVersions.policyId))
    .where(
      and(
        eq(policyVersions.id, version),
        policy === undefined ? undefined : eq(policyVersions.policyId, policy),
        eq(policyVersions.zoneId, zone),
      ),
    );
  const row = found(rows, "policy version");
  return { row, files: await versionFiles(db, row, row.policyName) };
}

policyVersionsRouter.openapi(getPolicyVersion, async (c) => {
  const { zone, policy, version } = c.req.valid("param");
  const { row, files } = await storedVersion(c.env, zone, policy, version);
  return c.json(policyVersionDetailView(row, files), 200);
});

const exportPolicyVersion = createRoute({
  method: "get",
  path: "/zones/{zone}/policy-versions/{version}/bundle",
  tags: ["policies"],
  summary: "Export a policy version as a bundle (tar.gz)",
  description: "A gzip-compressed tar of the version's files that `opa eval -b` loads; uploaded again it is the same version.",
  request: { params: ZoneParams.extend({ version: PolicyVersionParams.shape.version }) },
  responses: {
    200: { description: "The bundle", content: { "application/gzip": { schema: z.string().openapi({ format: "binary" }) } } },
    ...problems(404),
  },
});

policyVersionsRouter.openapi(exportPolicyVersion, async (c) => {
  const { zone, version } = c.req.valid("param");
  const { row, files } = await storedVersion(c.env, zone, undefined, version);
  if (row.engine === "wasm")
    throw new Problem(
      422,
      "wasm-export",
      "Unprocessable Content",
      `${version} is a Wasm version; exporting Wasm bundles is not available yet`,
    );
  const archive = await exportArchive(files);
  return c.body(archive as Uint8Array<ArrayBuffer>, 200, {
    "content-type": "application/gzip",
    "content-disposition": `attachment; filename="${version}.tar.gz"`,
  });
});
