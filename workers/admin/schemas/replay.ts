/** Change safety: replay of recorded decisions against a candidate set version, and the shadow report. */
import { z } from "@hono/zod-openapi";

export const MAX_REPLAY_LIMIT = 500;
export const DEFAULT_REPLAY_LIMIT = 100;

const Instant = z.iso.datetime({ offset: true });

const Location = z.object({ file: z.string(), row: z.number().int(), col: z.number().int() });
const Determining = z.object({
  policy_id: z.string(),
  policy_version_id: z.string(),
  policy_name: z.string(),
  rule: z.string(),
  location: Location.nullable(),
});

export const ReplayRequest = z
  .strictObject({
    version: z.string().openapi({ description: "the candidate: a policy-set version of this set", example: "psv-jkl012jkl012" }),
    since: Instant.optional().openapi({ description: "replay decisions at or after this RFC 3339 time (default: the oldest)" }),
    until: Instant.optional().openapi({ description: "replay decisions before this RFC 3339 time (default: now)" }),
    limit: z
      .number()
      .int()
      .min(1)
      .max(MAX_REPLAY_LIMIT)
      .default(DEFAULT_REPLAY_LIMIT)
      .openapi({ description: `decisions replayed by this call (1-${MAX_REPLAY_LIMIT}); continue with next_cursor` }),
    decision: z.enum(["allow", "deny"]).optional().openapi({ description: "only decisions recorded with this outcome" }),
    client: z.string().optional().openapi({ description: "only this client's decisions" }),
    cursor: z.string().optional().openapi({ description: "the next_cursor of a previous call with the same filters" }),
  })
  .openapi("ReplayRequest");

export const ReplayFlip = z
  .object({
    request_id: z.string(),
    client_id: z.string(),
    time: z.string(),
    from: z.enum(["allow", "deny"]).openapi({ description: "what the recorded set version's policies decided" }),
    to: z.enum(["allow", "deny"]).openapi({ description: "what the candidate decides on the same input" }),
    determining_policies_before: z.array(Determining),
    determining_policies_after: z.array(Determining),
    reasons_before: z.array(z.string()),
    reasons: z.array(z.string()).openapi({ description: "the candidate's reasons" }),
    error: z.object({ code: z.string(), message: z.string() }).nullable().openapi({ description: "the candidate's evaluation error" }),
  })
  .openapi("ReplayFlip");

export const ReplayResult = z
  .object({
    policy_set_version_id: z.string(),
    replayed: z.number().int(),
    unchanged: z.number().int(),
    allow_to_deny: z.number().int(),
    deny_to_allow: z.number().int(),
    errors: z.number().int().openapi({ description: "replays whose candidate evaluation failed (they fail closed: deny)" }),
    flips: z.array(ReplayFlip),
    next_cursor: z.string().nullable().openapi({ description: "pass as `cursor` to replay the next page; null on the last" }),
  })
  .openapi("ReplayResult");

export const ShadowReportQuery = z.strictObject({
  since: Instant.optional().openapi({
    param: { name: "since", in: "query" },
    description: "shadow evaluations at or after this RFC 3339 time (default: 24 hours ago)",
  }),
  until: Instant.optional().openapi({ param: { name: "until", in: "query" }, description: "before this time (default: now)" }),
  bucket: z
    .enum(["minute", "hour", "day"])
    .default("hour")
    .openapi({ param: { name: "bucket", in: "query" }, description: "width of the time buckets" }),
});

const Disagreements = {
  evaluated: z.number().int(),
  agreed: z.number().int(),
  allow_to_deny: z.number().int().openapi({ description: "enforced allowed, shadow would deny" }),
  deny_to_allow: z.number().int().openapi({ description: "enforced denied, shadow would allow" }),
};

export const ShadowReport = z
  .object({
    policy_set_id: z.string(),
    since: z.string(),
    until: z.string(),
    ...Disagreements,
    agreement_rate: z.number().nullable().openapi({ description: "agreed / evaluated; null when nothing was evaluated" }),
    shadow_errors: z.number().int().openapi({ description: "shadow evaluations that failed (counted as deny)" }),
    unpaired: z.number().int().openapi({ description: "shadow events without an enforced event of the same request" }),
    truncated: z.boolean().openapi({ description: "more shadow events than one report reads; narrow since/until" }),
    shadow_versions: z.array(z.string()),
    examples: z.object({ allow_to_deny: z.array(z.string()), deny_to_allow: z.array(z.string()) }),
    by_client: z.array(z.object({ client_id: z.string(), ...Disagreements, examples: z.array(z.string()) })),
    buckets: z.array(z.object({ start: z.string(), ...Disagreements })),
  })
  .openapi("ShadowReport");
