import { z } from "@hono/zod-openapi";
import type { auditEvents } from "../../../schema/index.js";
import { parseJsonExact } from "../../http/exact-json.js";
import type { DeterminingPolicy, EvaluationError, PolicyEvaluation } from "../../sts/decision.js";
import { PageQuery, pageOf, Timestamp } from "./common.js";

const Location = z.object({ file: z.string(), row: z.number().int(), col: z.number().int() }).openapi("RuleLocation");

const DeterminingPolicySchema = z
  .object({
    policy_id: z.string(),
    policy_version_id: z.string(),
    policy_name: z.string(),
    rule: z.string().openapi({ example: "data.payments.allow" }),
    location: Location.nullable().openapi({ description: "the first rule body that produced the deciding value" }),
    revision: z.string().optional().openapi({ description: "the bundle manifest's revision, when it has one" }),
  })
  .openapi("DeterminingPolicy");

const Party = z.object({ iss: z.string(), sub: z.string() });
const EvaluationErrorSchema = z.object({ code: z.string(), message: z.string(), location: Location.optional() }).openapi("EvaluationError");

export const AuditEvent = z
  .object({
    id: z.string(),
    request_id: z.string(),
    zone_id: z.string(),
    time: Timestamp,
    client_id: z.string(),
    subject: Party,
    actor: Party.nullable(),
    resource: z.array(z.string()),
    audience: z.array(z.string()),
    scope_requested: z.array(z.string()),
    scope_granted: z.array(z.string()).nullable(),
    decision: z.enum(["allow", "deny"]),
    evaluation_status: z.enum(["enforced", "shadow", "error"]),
    policy_set_id: z.string().nullable(),
    policy_set_version_id: z.string().nullable(),
    determining_policies: z.array(DeterminingPolicySchema),
    reasons: z.array(z.string()),
    error: EvaluationErrorSchema.nullable(),
    input: z.record(z.string(), z.unknown()).openapi({ description: "the policy input document (no raw tokens or secrets)" }),
    duration_us: z.number().int(),
    token_jti: z.string().nullable(),
  })
  .openapi("AuditEvent");

export const AuditEventPage = pageOf(AuditEvent, "AuditEventPage");

export const AuditQuery = PageQuery.extend({
  order: z
    .enum(["asc", "desc"])
    .default("asc")
    .openapi({ param: { name: "order", in: "query" }, description: "asc: oldest first (default); desc: newest first" }),
  decision: z
    .enum(["allow", "deny"])
    .optional()
    .openapi({ param: { name: "decision", in: "query" } }),
  status: z
    .enum(["enforced", "shadow", "error"])
    .optional()
    .openapi({ param: { name: "status", in: "query" } }),
  client: z
    .string()
    .optional()
    .openapi({ param: { name: "client", in: "query" }, description: "a client id" }),
  since: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ param: { name: "since", in: "query" }, description: "events at or after this RFC 3339 time" }),
});

const PolicyEvaluationSchema = z
  .object({
    policy_id: z.string(),
    policy_version_id: z.string(),
    policy_name: z.string(),
    package: z.string(),
    revision: z.string().optional().openapi({ description: "the bundle manifest's revision, when it has one" }),
    outcome: z.enum(["allow", "deny", "error", "not_evaluated"]),
    reasons: z.array(z.string()),
    rules: z.array(z.object({ rule: z.string(), locations: z.array(Location) })).openapi({
      description: "rules that produced a value, with the source locations of the bodies that produced it",
    }),
    engine: z.literal("wasm").optional().openapi({ description: "present for an OPA-compiled Wasm version" }),
    entrypoints: z
      .array(z.object({ entrypoint: z.string(), value: z.unknown() }))
      .optional()
      .openapi({ description: "a Wasm version's decision entrypoints and their values (no rule locations: compiled Wasm has none)" }),
    note: z.string().optional(),
    data_read: z
      .object({
        rule: z.string().openapi({ example: "data.payments.allow" }),
        paths: z.array(z.string()).openapi({ description: "paths into data it read that had a value, e.g. data.roles.alice" }),
        missing: z.array(z.string()).openapi({ description: "paths it looked up that had none" }),
        truncated: z.boolean().openapi({ description: "more than 50 distinct paths were read; the rest are not listed" }),
      })
      .optional()
      .openapi({ description: "the paths into the version's data its deciding rule read (Rego versions; absent when it read none)" }),
    determining: z.boolean(),
  })
  .openapi("PolicyEvaluation");

const SetOutcome = z.object({
  policy_set_id: z.string().nullable(),
  policy_set_version_id: z.string().nullable(),
  decision: z.enum(["allow", "deny"]),
  evaluation_status: z.enum(["enforced", "shadow", "error"]),
  determining_policies: z.array(DeterminingPolicySchema),
  reasons: z.array(z.string()),
  error: EvaluationErrorSchema.nullable(),
  policies: z.array(PolicyEvaluationSchema).openapi({ description: "each policy of the set in evaluation order" }),
});

export const Explanation = SetOutcome.extend({
  request_id: z.string(),
  zone_id: z.string(),
  time: Timestamp,
  client_id: z.string(),
  subject: Party,
  actor: Party.nullable(),
  scope_requested: z.array(z.string()),
  scope_granted: z.array(z.string()).nullable(),
  token_jti: z.string().nullable(),
  input: z.record(z.string(), z.unknown()),
  shadow: SetOutcome.extend({
    agrees: z.boolean().openapi({ description: "whether the shadow set reached the enforced outcome" }),
  })
    .nullable()
    .openapi({ description: "the shadow set's outcome on the same input; null when the zone had no shadow" }),
}).openapi("Explanation");

type AuditRow = typeof auditEvents.$inferSelect;

export function auditEventView(row: AuditRow): z.infer<typeof AuditEvent> {
  return {
    id: row.id,
    request_id: row.requestId,
    zone_id: row.zoneId,
    time: row.time,
    client_id: row.clientId,
    subject: row.subject,
    actor: row.actor ?? null,
    resource: row.resource,
    audience: row.audience,
    scope_requested: row.scopeRequested,
    scope_granted: row.scopeGranted ?? null,
    decision: row.decision as "allow" | "deny",
    evaluation_status: row.evaluationStatus as "enforced" | "shadow" | "error",
    policy_set_id: row.policySetId,
    policy_set_version_id: row.policySetVersionId,
    determining_policies: row.determiningPolicies as DeterminingPolicy[],
    reasons: row.reasons,
    error: (row.error as EvaluationError | null) ?? null,
    input: parseJsonExact(row.input) as Record<string, unknown>,
    duration_us: row.durationUs,
    token_jti: row.tokenJti,
  };
}

/** An outcome is the decision, or "error" when the evaluation failed closed. */
function outcome(row: AuditRow): string {
  return row.error ? "error" : row.decision;
}

function setOutcome(row: AuditRow): z.infer<typeof SetOutcome> {
  const determining = row.determiningPolicies as DeterminingPolicy[];
  const decided = new Set(determining.map((d) => d.policy_version_id));
  return {
    policy_set_id: row.policySetId,
    policy_set_version_id: row.policySetVersionId,
    decision: row.decision as "allow" | "deny",
    evaluation_status: row.evaluationStatus as "enforced" | "shadow" | "error",
    determining_policies: determining,
    reasons: row.reasons,
    error: (row.error as EvaluationError | null) ?? null,
    policies: (row.evaluations as PolicyEvaluation[]).map((p) => ({ ...p, determining: decided.has(p.policy_version_id) })),
  };
}

export function explanationView(main: AuditRow, shadow: AuditRow | undefined): z.infer<typeof Explanation> {
  const event = auditEventView(main);
  return {
    ...setOutcome(main),
    request_id: event.request_id,
    zone_id: event.zone_id,
    time: event.time,
    client_id: event.client_id,
    subject: event.subject,
    actor: event.actor,
    scope_requested: event.scope_requested,
    scope_granted: event.scope_granted,
    token_jti: event.token_jti,
    input: event.input,
    shadow: shadow ? { ...setOutcome(shadow), agrees: outcome(shadow) === outcome(main) } : null,
  };
}
