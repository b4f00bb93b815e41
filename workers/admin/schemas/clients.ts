import { z } from "@hono/zod-openapi";
import type { clients } from "../../../schema/index.js";
import { jsonLimitProblem } from "../../http/json-limits.js";
import { Name, pageOf, Timestamp } from "./common.js";

/** Attributes reach every policy evaluation: keep them small. */
export const MAX_ATTRIBUTES_BYTES = 16 * 1024;

const Attributes = z
  .record(z.string(), z.unknown())
  // Depth first: serializing a deeply nested value is itself a recursive walk.
  .superRefine((a, ctx) => {
    const problem = jsonLimitProblem(a);
    if (problem) ctx.addIssue({ code: "custom", message: `attributes are refused: ${problem}` });
    else if (new TextEncoder().encode(JSON.stringify(a)).length > MAX_ATTRIBUTES_BYTES)
      ctx.addIssue({ code: "custom", message: `attributes are limited to ${MAX_ATTRIBUTES_BYTES} bytes of JSON` });
  })
  .openapi({ description: "free-form JSON object, given to policies as input.client.attributes", example: { team: "payments" } });

const Jwks = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())) })
  .passthrough()
  .openapi({ description: "the client's public keys (a JWK Set) for private_key_jwt: EC, RSA or Ed25519 keys, each with a kid" });

export const CreateClientRequest = z
  .strictObject({
    name: Name,
    attributes: Attributes.default({}),
    jwks: Jwks.optional(),
    jwks_uri: z.url().max(2048).optional().openapi({ description: "where the Worker fetches the client's JWKS (https)" }),
  })
  .refine((r) => r.jwks === undefined || r.jwks_uri === undefined, {
    message: "give at most one of jwks and jwks_uri",
    path: ["jwks"],
  })
  .openapi("CreateClientRequest", {
    description:
      "Without jwks or jwks_uri the client authenticates with a secret (client_secret_basic or client_secret_post), " +
      "returned once. With either, it authenticates with private_key_jwt (RFC 7523) and has no secret.",
  });

export const AuthMethod = z.enum(["client_secret", "private_key_jwt"]);

export const Client = z
  .object({
    id: z.string(),
    zone_id: z.string(),
    name: z.string(),
    attributes: z.record(z.string(), z.unknown()),
    status: z.enum(["active", "disabled"]),
    auth_method: AuthMethod.openapi({ description: "client_secret (HTTP Basic or in the body) or private_key_jwt" }),
    jwks: Jwks.nullable(),
    jwks_uri: z.string().nullable(),
    secret_rotated_at: Timestamp,
    disabled_at: Timestamp.nullable(),
    created_at: Timestamp,
  })
  .openapi("Client");

export const ClientWithSecret = Client.extend({
  client_secret: z.string().optional().openapi({ description: "shown once: only its SHA-256 is stored (absent for private_key_jwt)" }),
}).openapi("ClientWithSecret");

export const ClientPage = pageOf(Client, "ClientPage");

export function clientView(row: typeof clients.$inferSelect): z.infer<typeof Client> {
  return {
    id: row.id,
    zone_id: row.zoneId,
    name: row.name,
    attributes: row.attributes,
    status: row.disabledAt === null ? "active" : "disabled",
    auth_method: row.authMethod === "private_key_jwt" ? "private_key_jwt" : "client_secret",
    jwks: row.jwks as z.infer<typeof Jwks> | null,
    jwks_uri: row.jwksUri,
    secret_rotated_at: row.secretRotatedAt,
    disabled_at: row.disabledAt,
    created_at: row.createdAt,
  };
}
