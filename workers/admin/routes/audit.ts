/** The zone's audit events: filtered, cursor-paginated, oldest or newest first. */
import { createRoute } from "@hono/zod-openapi";
import { and, eq, gte } from "drizzle-orm";
import { auditEvents } from "../../../schema/index.js";
import { flushAuditBuffer } from "../../audit/buffer.js";
import { database, found, zoneLookup } from "../../db.js";
import { afterCursor, pageOrder, toPage } from "../pagination.js";
import { AuditEventPage, auditEventView, AuditQuery } from "../schemas/audit.js";
import { jsonResponse, problems, ZoneParams } from "../schemas/common.js";
import { newRouter } from "../router.js";

export const auditRouter = newRouter();

/** Audit events order by their time, ties broken by id. */
const ORDER = { createdAt: auditEvents.time, id: auditEvents.id };

const listAudit = createRoute({
  method: "get",
  path: "/zones/{zone}/audit",
  tags: ["audit"],
  summary: "List the zone's audit events (one per decision, one per shadow evaluation)",
  request: { params: ZoneParams, query: AuditQuery },
  responses: { 200: jsonResponse(AuditEventPage, "A page of audit events"), ...problems(404) },
});

auditRouter.openapi(listAudit, async (c) => {
  const { zone } = c.req.valid("param");
  const { limit, cursor, order, decision, status, client, since } = c.req.valid("query");
  await flushAuditBuffer(c.env, zone);
  const db = database(c.env);
  const [zoneRows, rows] = await db.batch([
    zoneLookup(db, zone),
    db
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.zoneId, zone),
          decision ? eq(auditEvents.decision, decision) : undefined,
          status ? eq(auditEvents.evaluationStatus, status) : undefined,
          client ? eq(auditEvents.clientId, client) : undefined,
          // Stored times are Date#toISOString text: normalize so they compare as strings.
          since ? gte(auditEvents.time, new Date(since).toISOString()) : undefined,
          afterCursor(ORDER, cursor, order),
        ),
      )
      .orderBy(...pageOrder(ORDER, order))
      .limit(limit + 1),
  ]);
  found(zoneRows, "zone");
  return c.json(
    toPage(rows, limit, auditEventView, (row) => ({ createdAt: row.time, id: row.id })),
    200,
  );
});
