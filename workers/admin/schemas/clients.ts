import { z } from "@hono/zod-openapi";
import type { clients } from "../../../schema/index.js";
import { Name, pageOf, Timestamp } from "./common.js";

/** Attributes reach every policy evaluation: keep them small. */
export const MAX_ATTRIBUTES_BYTES = 16 * 1024;

const Attributes = z
  .record(z.string(), z.unknown())
  .refine((a) => new TextEncoder().encode(JSON.stringify(a)).length <= MAX_ATTRIBUTES_BYTES, {
    message: `attributes are limited to ${MAX_ATTRIBUTES_BYTES} bytes of JSON`,
  })
  .openapi({ description: "free-form JSON object, given to policies as input.client.attributes", example: { team: "payments" } });

export const CreateClientRequest = z.strictObject({ name: Name, attributes: Attributes.default({}) }).openapi("CreateClientRequest");

export const Client = z
  .object({
    id: z.string(),
    zone_id: z.string(),
    name: z.string(),
    attributes: z.record(z.string(), z.unknown()),
    status: z.enum(["active", "disabled"]),
    secret_rotated_at: Timestamp,
    disabled_at: Timestamp.nullable(),
    created_at: Timestamp,
  })
  .openapi("Client");

export const ClientWithSecret = Client.extend({
  client_secret: z.string().openapi({ description: "shown once: only its SHA-256 is stored" }),
}).openapi("ClientWithSecret");

export const ClientPage = pageOf(Client, "ClientPage");

export function clientView(row: typeof clients.$inferSelect): z.infer<typeof Client> {
  return {
    id: row.id,
    zone_id: row.zoneId,
    name: row.name,
    attributes: row.attributes,
    status: row.disabledAt === null ? "active" : "disabled",
    secret_rotated_at: row.secretRotatedAt,
    disabled_at: row.disabledAt,
    created_at: row.createdAt,
  };
}
