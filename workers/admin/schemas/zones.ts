import { z } from "@hono/zod-openapi";
import type { zones } from "../../../schema/index.js";
import { Activation } from "./activation.js";
import { Name, pageOf, Timestamp } from "./common.js";

/** Token lifetimes a zone may set, in seconds: one minute to one day. */
export const MIN_TOKEN_LIFETIME = 60;
export const MAX_TOKEN_LIFETIME = 86_400;
export const DEFAULT_TOKEN_LIFETIME = 900;
export const DEFAULT_MAX_TOKEN_LIFETIME = 3600;

const Lifetime = z.number().int().min(MIN_TOKEN_LIFETIME).max(MAX_TOKEN_LIFETIME);

export const CreateZoneRequest = z
  .strictObject({
    name: Name,
    default_token_lifetime: Lifetime.optional().openapi({
      description: `seconds an issued token lives unless a policy's ttl asks for less (default ${DEFAULT_TOKEN_LIFETIME})`,
    }),
    max_token_lifetime: Lifetime.optional().openapi({
      description: `upper bound of issued token lifetimes (default ${DEFAULT_MAX_TOKEN_LIFETIME}, or the default lifetime if that is larger)`,
    }),
  })
  .refine((r) => (r.default_token_lifetime ?? 0) <= (r.max_token_lifetime ?? MAX_TOKEN_LIFETIME), {
    message: "default_token_lifetime must not exceed max_token_lifetime",
    path: ["default_token_lifetime"],
  })
  .openapi("CreateZoneRequest");

export const Zone = z
  .object({
    id: z.string(),
    name: z.string(),
    default_token_lifetime: z.number().int(),
    max_token_lifetime: z.number().int(),
    created_at: Timestamp,
  })
  .openapi("Zone");

export const ZoneDetail = Zone.extend({
  activation: Activation.nullable().openapi({ description: "the zone's active policy set; null before the first activation" }),
}).openapi("ZoneDetail");

export const ZonePage = pageOf(Zone, "ZonePage");

/** Lifetimes of a new zone: the defaults, with the maximum raised to a larger default if one is given. */
export function zoneLifetimes(request: z.infer<typeof CreateZoneRequest>): { defaultTokenLifetime: number; maxTokenLifetime: number } {
  const defaultTokenLifetime =
    request.default_token_lifetime ?? Math.min(DEFAULT_TOKEN_LIFETIME, request.max_token_lifetime ?? DEFAULT_TOKEN_LIFETIME);
  return {
    defaultTokenLifetime,
    maxTokenLifetime: request.max_token_lifetime ?? Math.max(DEFAULT_MAX_TOKEN_LIFETIME, defaultTokenLifetime),
  };
}

export function zoneView(row: typeof zones.$inferSelect): z.infer<typeof Zone> {
  return {
    id: row.id,
    name: row.name,
    default_token_lifetime: row.defaultTokenLifetime,
    max_token_lifetime: row.maxTokenLifetime,
    created_at: row.createdAt,
  };
}
