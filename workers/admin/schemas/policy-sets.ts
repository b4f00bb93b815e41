import { z } from "@hono/zod-openapi";
import type { policySets, policySetVersions } from "../../../schema/index.js";
import { Activation, ActivationHistoryEntry } from "./activation.js";
import { Name, pageOf, Timestamp } from "./common.js";

/** Most policies a set version may bundle: each one is evaluated per token exchange. */
export const MAX_SET_SIZE = 32;

export const CreatePolicySetRequest = z.strictObject({ name: Name }).openapi("CreatePolicySetRequest");

export const CreatePolicySetVersionRequest = z
  .strictObject({
    policy_version_ids: z
      .array(z.string())
      .min(1)
      .max(MAX_SET_SIZE)
      .refine((ids) => new Set(ids).size === ids.length, "policy versions must be distinct")
      .openapi({ description: "policy versions of this zone, in evaluation order (first non-deny wins)" }),
    run_tests: z
      .boolean()
      .optional()
      .openapi({
        description:
          "run the *_test.rego tests of each member's bundle (with its data) first, as `opa test` does; " +
          "a failing or erroring test refuses the set version (422 policy_test_failed), nothing written. " +
          "Also when the list already exists.",
      }),
  })
  .openapi("CreatePolicySetVersionRequest");

export const TestGateSummary = z
  .object({
    passed: z.number().int(),
    skipped: z.number().int().openapi({ description: "todo_test_* rules" }),
    versions_tested: z.number().int().openapi({ description: "member versions whose bundles have tests" }),
  })
  .openapi("TestGateSummary");

export const PolicySetVersion = z
  .object({
    id: z.string(),
    policy_set_id: z.string(),
    zone_id: z.string(),
    policy_version_ids: z.array(z.string()),
    sha256: z.string().openapi({ description: "SHA-256 of the ordered list: the set version's identity within its set" }),
    created_at: Timestamp,
    tests: TestGateSummary.optional().openapi({ description: "present when the create request asked for run_tests: every test passed" }),
  })
  .openapi("PolicySetVersion");

export const PolicySet = z.object({ id: z.string(), zone_id: z.string(), name: z.string(), created_at: Timestamp }).openapi("PolicySet");

export const PolicySetDetail = PolicySet.extend({
  versions: z.array(PolicySetVersion).openapi({ description: "every version, oldest first" }),
  activation: Activation.nullable().openapi({
    description: "the zone's active version and shadow when this set is the zone's active set, else null",
  }),
  history: z.array(ActivationHistoryEntry).openapi({ description: "activations of this set, oldest first" }),
  isolates: z
    .object({
      reporting: z.number().int().openapi({ description: "edge isolates that reported the zone's versions in the last 30 s" }),
      running_active: z.number().int().openapi({ description: "of those, isolates enforcing this set's active version" }),
    })
    .nullable()
    .openapi({
      description: "isolate reports from the invalidation stream's Redis; null when Redis is not configured or this set is not active",
    }),
}).openapi("PolicySetDetail");

export const PolicySetPage = pageOf(PolicySet, "PolicySetPage");

export function policySetView(row: typeof policySets.$inferSelect): z.infer<typeof PolicySet> {
  return { id: row.id, zone_id: row.zoneId, name: row.name, created_at: row.createdAt };
}

export function policySetVersionView(row: typeof policySetVersions.$inferSelect): z.infer<typeof PolicySetVersion> {
  return {
    id: row.id,
    policy_set_id: row.policySetId,
    zone_id: row.zoneId,
    policy_version_ids: row.policyVersionIds,
    sha256: row.listSha256,
    created_at: row.createdAt,
  };
}
