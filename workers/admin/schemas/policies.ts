import { z } from "@hono/zod-openapi";
import type { policies, policyVersions } from "../../../schema/index.js";
import { Name, pageOf, RegoVersion, Source, Timestamp } from "./common.js";

export const CreatePolicyRequest = z
  .strictObject({ name: Name, source: Source, rego_version: RegoVersion.default(1) })
  .openapi("CreatePolicyRequest");

export const CreatePolicyVersionRequest = z
  .strictObject({ source: Source, rego_version: RegoVersion.default(1) })
  .openapi("CreatePolicyVersionRequest");

export const PolicyVersion = z
  .object({
    id: z.string(),
    policy_id: z.string(),
    zone_id: z.string(),
    sha256: z.string().openapi({ description: "SHA-256 of the source: the version's identity within its policy" }),
    rego_version: RegoVersion,
    package: z.string().openapi({ description: "the module's package, where allow/deny/ttl/scope/claims are read" }),
    engine: z.enum(["rego", "wasm"]).openapi({
      description: "rego: evaluated by the own engine; wasm: an OPA-compiled Wasm bundle run with @open-policy-agent/opa-wasm",
    }),
    created_at: Timestamp,
  })
  .openapi("PolicyVersion");

export const PolicyVersionDetail = PolicyVersion.extend({ source: z.string() }).openapi("PolicyVersionDetail");

export const Policy = z.object({ id: z.string(), zone_id: z.string(), name: z.string(), created_at: Timestamp }).openapi("Policy");

export const PolicyDetail = Policy.extend({
  versions: z.array(PolicyVersion).openapi({ description: "every version, oldest first" }),
}).openapi("PolicyDetail");

export const PolicyPage = pageOf(Policy, "PolicyPage");

/** A version row as lists read it: without the (large) source and plan. */
type PolicyVersionRow = Omit<typeof policyVersions.$inferSelect, "source" | "plan">;

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
    engine: row.engine,
    created_at: row.createdAt,
  };
}

export function policyVersionDetailView(row: PolicyVersionRow & { source: string }): z.infer<typeof PolicyVersionDetail> {
  return { ...policyVersionView(row), source: row.source };
}
