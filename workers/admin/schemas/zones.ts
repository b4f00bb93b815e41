import { z } from "@hono/zod-openapi";
import type { zones } from "../../../schema/index.js";
import { Activation } from "./activation.js";
import { Name, pageOf, Timestamp } from "./common.js";

export const CreateZoneRequest = z.strictObject({ name: Name }).openapi("CreateZoneRequest");

export const Zone = z.object({ id: z.string(), name: z.string(), created_at: Timestamp }).openapi("Zone");

export const ZoneDetail = Zone.extend({
  activation: Activation.nullable().openapi({ description: "the zone's active policy set; null before the first activation" }),
}).openapi("ZoneDetail");

export const ZonePage = pageOf(Zone, "ZonePage");

export function zoneView(row: typeof zones.$inferSelect): z.infer<typeof Zone> {
  return { id: row.id, name: row.name, created_at: row.createdAt };
}
