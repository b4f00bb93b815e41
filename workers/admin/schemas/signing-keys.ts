import { z } from "@hono/zod-openapi";
import type { KeyStatus } from "../../sts/keys.js";
import { Timestamp } from "./common.js";

export const SigningKey = z
  .object({
    kid: z.string(),
    alg: z.string(),
    status: z.enum(["current", "retired", "expired"]).openapi({
      description: "current signs; retired is still published in the JWKS; expired is no longer published",
    }),
    created_at: Timestamp,
    retired_at: Timestamp.nullable(),
    published_until: Timestamp.nullable().openapi({
      description: "when a retired key leaves the JWKS (max token lifetime + 1 h after retirement)",
    }),
  })
  .openapi("SigningKey");

export const SigningKeyList = z.object({ items: z.array(SigningKey) }).openapi("SigningKeyList");

export const KeyRotation = z.object({ current: SigningKey, previous: SigningKey.nullable() }).openapi("KeyRotation");

export function signingKeyView(key: KeyStatus, now = new Date().toISOString()): z.infer<typeof SigningKey> {
  const status = key.publishedUntil === null ? "current" : key.publishedUntil > now ? "retired" : "expired";
  return {
    kid: key.row.kid,
    alg: key.row.alg,
    status,
    created_at: key.row.createdAt,
    retired_at: key.retiredAt,
    published_until: key.publishedUntil,
  };
}
