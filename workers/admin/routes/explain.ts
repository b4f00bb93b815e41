/**
 * Explain a decision by request id: the input, each policy of the set in
 * order with its outcome, reasons and the rule locations that fired, which
 * policy determined the outcome, and the shadow set's outcome.
 */
import { createRoute } from "@hono/zod-openapi";
import { and, desc, eq } from "drizzle-orm";
import { auditEvents } from "../../../schema/index.js";
import { flushAuditBuffer } from "../../audit/buffer.js";
import { SHADOW_ID_SUFFIX } from "../../sts/audit.js";
import { database, found } from "../../db.js";
import { Explanation, explanationView } from "../schemas/audit.js";
import { jsonResponse, problems, RequestParams } from "../schemas/common.js";
import { newRouter } from "../router.js";

export const explainRouter = newRouter();

const explain = createRoute({
  method: "get",
  path: "/zones/{zone}/explain/{request_id}",
  tags: ["audit"],
  summary: "Explain the decision of one token request (its X-Request-Id)",
  description:
    "Requests rejected before a decision (bad client credentials, malformed parameters or tokens) have no audit event and answer 404. " +
    "If a client reused a request id, the latest decision with that id is explained.",
  request: { params: RequestParams },
  responses: { 200: jsonResponse(Explanation, "The decision explained"), ...problems(404) },
});

explainRouter.openapi(explain, async (c) => {
  const { zone, request_id } = c.req.valid("param");
  await flushAuditBuffer(c.env, zone);
  const rows = await database(c.env)
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.zoneId, zone), eq(auditEvents.requestId, request_id)))
    .orderBy(desc(auditEvents.time), desc(auditEvents.id));
  const main = found(
    rows.filter((r) => r.evaluationStatus !== "shadow"),
    `decision of request ${request_id}`,
  );
  const shadow = rows.find((r) => r.id === main.id + SHADOW_ID_SUFFIX);
  return c.json(explanationView(main, shadow), 200);
});
