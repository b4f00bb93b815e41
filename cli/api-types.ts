/** Response shapes of the admin API, inferred from the server's own schemas (types only). */
import type { z } from "@hono/zod-openapi";
import type { Activation } from "../workers/admin/schemas/activation.js";
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

export interface PageJson<T> {
  items: T[];
  next_cursor: string | null;
}
