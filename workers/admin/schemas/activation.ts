/** A zone's activation pointer, its history, and the activate request. */
import { z } from "@hono/zod-openapi";
import type { activationHistory, zoneActivations } from "../../../schema/index.js";
import { Timestamp } from "./common.js";

export const ActivateRequest = z
  .strictObject({
    version: z.string().openapi({ description: "policy-set version of this set to enforce", example: "psv-jkl012jkl012" }),
    shadow: z
      .string()
      .nullable()
      .optional()
      .openapi({ description: "policy-set version of this zone to evaluate alongside, unenforced; none if absent" }),
    require_replay: z.boolean().optional().openapi({
      description: "first replay the newest recorded decisions (up to 500) of the window against `version`; refuse (409) on too many flips",
    }),
    max_flips: z.number().int().min(0).optional().openapi({ description: "flips the replay gate tolerates (default 0)" }),
    replay_since: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: "start of the replay gate's window, RFC 3339 (default: 24 hours ago)" }),
  })
  .openapi("ActivateRequest");

export const Activation = z
  .object({
    zone_id: z.string(),
    policy_set_id: z.string(),
    active_version_id: z.string(),
    shadow_version_id: z.string().nullable(),
    seq: z.number().int().openapi({ description: "the zone's activation count; increases by one per activation" }),
    activated_at: Timestamp,
    activated_by: z.string(),
  })
  .openapi("Activation");

export const ActivationHistoryEntry = z
  .object({
    seq: z.number().int(),
    policy_set_id: z.string(),
    from_version_id: z.string().nullable(),
    to_version_id: z.string(),
    shadow_version_id: z.string().nullable(),
    actor: z.string(),
    activated_at: Timestamp,
  })
  .openapi("ActivationHistoryEntry");

export function activationView(row: typeof zoneActivations.$inferSelect): z.infer<typeof Activation> {
  return {
    zone_id: row.zoneId,
    policy_set_id: row.policySetId,
    active_version_id: row.policySetVersionId,
    shadow_version_id: row.shadowPolicySetVersionId,
    seq: row.seq,
    activated_at: row.activatedAt,
    activated_by: row.activatedBy,
  };
}

export function historyView(row: typeof activationHistory.$inferSelect): z.infer<typeof ActivationHistoryEntry> {
  return {
    seq: row.seq,
    policy_set_id: row.policySetId,
    from_version_id: row.fromPolicySetVersionId,
    to_version_id: row.toPolicySetVersionId,
    shadow_version_id: row.shadowPolicySetVersionId,
    actor: row.actor,
    activated_at: row.activatedAt,
  };
}
