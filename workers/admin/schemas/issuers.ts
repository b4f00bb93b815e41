import { z } from "@hono/zod-openapi";
import type { trustedIssuers } from "../../../schema/index.js";
import { pageOf, Timestamp } from "./common.js";

const Jwks = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())) })
  .passthrough()
  .openapi({ description: "the issuer's public keys (a JWK Set): EC, RSA or OKP keys, each with a kid" });

export const CreateIssuerRequest = z
  .strictObject({
    issuer: z.url().max(512).openapi({ description: "the exact `iss` of the issuer's tokens", example: "https://idp.example.com" }),
    jwks: Jwks.optional(),
    jwks_uri: z.url().max(2048).optional().openapi({ description: "where the Worker fetches the issuer's JWKS (https)" }),
    audience: z.string().min(1).max(512).optional().openapi({ description: "when set, the issuer's tokens must carry it in aud" }),
  })
  .refine((r) => (r.jwks === undefined) !== (r.jwks_uri === undefined), {
    message: "give exactly one of jwks and jwks_uri",
    path: ["jwks"],
  })
  .openapi("CreateIssuerRequest");

export const TrustedIssuer = z
  .object({
    id: z.string(),
    zone_id: z.string(),
    issuer: z.string(),
    jwks: Jwks.nullable(),
    jwks_uri: z.string().nullable(),
    audience: z.string().nullable(),
    created_at: Timestamp,
  })
  .openapi("TrustedIssuer");

export const TrustedIssuerPage = pageOf(TrustedIssuer, "TrustedIssuerPage");

export function issuerView(row: typeof trustedIssuers.$inferSelect): z.infer<typeof TrustedIssuer> {
  return {
    id: row.id,
    zone_id: row.zoneId,
    issuer: row.issuer,
    jwks: row.jwks as z.infer<typeof Jwks> | null,
    jwks_uri: row.jwksUri,
    audience: row.audience,
    created_at: row.createdAt,
  };
}
