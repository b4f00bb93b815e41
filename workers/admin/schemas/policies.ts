import { z } from "@hono/zod-openapi";
import type { policies, policyVersions } from "../../../schema/index.js";
import { Name, pageOf, RegoVersion, Source, Timestamp } from "./common.js";

const BundleFileInput = z.strictObject({
  path: z.string().openapi({ description: "path inside the bundle, e.g. `lib/roles.rego` or `roles/data.json`" }),
  content: z.string().openapi({ description: "the file's UTF-8 text" }),
});

/**
 * A version's content, in exactly one of three forms (README "Policy bundles"): `source` (one
 * module, named after the policy), `files`, or `bundle` (base64 of a tar or tar.gz). The same files
 * in any form are the same version.
 */
const versionContent = {
  source: Source.optional(),
  files: z.array(BundleFileInput).min(1).optional().openapi({ description: "the bundle's files: modules, data documents, .manifest" }),
  bundle: z.string().min(1).optional().openapi({ description: "base64 of the bundle as a tar or tar.gz archive (`opa build` output)" }),
  package: z
    .string()
    .regex(/^(data\.)?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, "a package name such as payments.v1")
    .optional()
    .openapi({ description: "the decision package; else the manifest's metadata.package; else the one package defining allow or deny" }),
  rego_version: RegoVersion.optional().openapi({ description: "1 (default, or the manifest's rego_version) or 0 for pre-1.0 policies" }),
};

function oneForm(v: { source?: unknown; files?: unknown; bundle?: unknown }): boolean {
  return [v.source, v.files, v.bundle].filter((x) => x !== undefined).length === 1;
}
const ONE_FORM = { message: "give exactly one of source, files and bundle" };

export const CreatePolicyRequest = z
  .strictObject({ name: Name, ...versionContent })
  .refine(oneForm, ONE_FORM)
  .openapi("CreatePolicyRequest");

export const CreatePolicyVersionRequest = z.strictObject(versionContent).refine(oneForm, ONE_FORM).openapi("CreatePolicyVersionRequest");

export const ContractWarning = z
  .object({
    code: z.string().openapi({ description: "near_miss_rule" }),
    message: z.string(),
    location: z.object({ file: z.string(), row: z.number().int(), col: z.number().int() }).optional(),
  })
  .openapi("ContractWarning");

const Warnings = z.array(ContractWarning).optional().openapi({
  description:
    "in a create response (201): decision-contract warnings, e.g. a rule whose name is a near miss of allow, deny, ttl, scope or claims",
});

export const PolicyVersion = z
  .object({
    id: z.string(),
    policy_id: z.string(),
    zone_id: z.string(),
    sha256: z
      .string()
      .openapi({ description: "SHA-256 digest of the bundle's files (paths and contents): the version's identity within its policy" }),
    rego_version: RegoVersion,
    package: z.string().openapi({ description: "the decision package, where allow/deny/ttl/scope/claims are read" }),
    revision: z.string().nullable().openapi({ description: "the bundle manifest's revision" }),
    file_count: z.number().int(),
    engine: z.enum(["rego", "wasm"]).openapi({
      description: "rego: evaluated by the own engine; wasm: an OPA-compiled Wasm bundle run with @open-policy-agent/opa-wasm",
    }),
    created_at: Timestamp,
    warnings: Warnings,
  })
  .openapi("PolicyVersion");

export const BundleFileSummary = z.object({ path: z.string(), sha256: z.string(), size: z.number().int() }).openapi("BundleFile");

export const PolicyVersionDetail = PolicyVersion.extend({
  files: z.array(BundleFileSummary).openapi({ description: "the bundle's files in path order" }),
  source: z.string().optional().openapi({ description: "the module's source, when the bundle has exactly one module" }),
}).openapi("PolicyVersionDetail");

export const Policy = z.object({ id: z.string(), zone_id: z.string(), name: z.string(), created_at: Timestamp }).openapi("Policy");

export const PolicyDetail = Policy.extend({
  versions: z.array(PolicyVersion).openapi({ description: "every version, oldest first" }),
  warnings: Warnings,
}).openapi("PolicyDetail");

export const PolicyPage = pageOf(Policy, "PolicyPage");

/** A version row as lists read it: without the (large) inline source and plan or blob references. */
type PolicyVersionRow = Pick<
  typeof policyVersions.$inferSelect,
  "id" | "policyId" | "zoneId" | "sourceSha256" | "regoVersion" | "package" | "revision" | "fileCount" | "engine" | "createdAt"
>;

export function policyView(row: typeof policies.$inferSelect): z.infer<typeof Policy> {
  return { id: row.id, zone_id: row.zoneId, name: row.name, created_at: row.createdAt };
}

export function policyVersionView(row: PolicyVersionRow): z.infer<typeof PolicyVersion> {
  return {
    id: row.id,
    policy_id: row.policyId,
    zone_id: row.zoneId,
    sha256: row.sourceSha256,
    rego_version: row.regoVersion === 0 ? 0 : 1,
    package: row.package,
    revision: row.revision,
    file_count: row.fileCount ?? 1,
    engine: row.engine,
    created_at: row.createdAt,
  };
}

export function policyVersionDetailView(
  row: PolicyVersionRow,
  files: { path: string; sha256: string; size: number; content: string }[],
): z.infer<typeof PolicyVersionDetail> {
  const modules = files.filter((f) => f.path.endsWith(".rego"));
  return {
    ...policyVersionView(row),
    files: files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size })),
    ...(modules.length === 1 ? { source: (modules[0] as { content: string }).content } : {}),
  };
}
