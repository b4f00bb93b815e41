/** Response shapes of the admin API, inferred from the server's own schemas (types only). */
import type { z } from "@hono/zod-openapi";
import type { Activation } from "../workers/admin/schemas/activation.js";
import type { AuditEvent, Explanation } from "../workers/admin/schemas/audit.js";
import type { Client, ClientWithSecret } from "../workers/admin/schemas/clients.js";
import type { TrustedIssuer } from "../workers/admin/schemas/issuers.js";
import type { KeyRotation } from "../workers/admin/schemas/signing-keys.js";
import type { PolicyDetail, Policy, PolicyVersion } from "../workers/admin/schemas/policies.js";
import type { PolicySet, PolicySetDetail, PolicySetVersion } from "../workers/admin/schemas/policy-sets.js";
import type { Zone, ZoneDetail } from "../workers/admin/schemas/zones.js";

export type ZoneJson = z.infer<typeof Zone>;
export type ZoneDetailJson = z.infer<typeof ZoneDetail>;
export type PolicyJson = z.infer<typeof Policy>;
export type PolicyDetailJson = z.infer<typeof PolicyDetail>;
export type PolicyVersionJson = z.infer<typeof PolicyVersion>;
export type PolicySetJson = z.infer<typeof PolicySet>;
export type PolicySetDetailJson = z.infer<typeof PolicySetDetail>;
export type PolicySetVersionJson = z.infer<typeof PolicySetVersion>;
export type ActivationJson = z.infer<typeof Activation>;
export type ClientJson = z.infer<typeof Client>;
export type ClientWithSecretJson = z.infer<typeof ClientWithSecret>;
export type TrustedIssuerJson = z.infer<typeof TrustedIssuer>;
export type KeyRotationJson = z.infer<typeof KeyRotation>;
export type AuditEventJson = z.infer<typeof AuditEvent>;
export type ExplanationJson = z.infer<typeof Explanation>;

export interface PageJson<T> {
  items: T[];
  next_cursor: string | null;
}
