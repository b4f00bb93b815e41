/**
 * The shadow report: what a set's shadow versions decided next to the
 * enforced decisions of the same requests. Each shadow event is paired with
 * its request's enforced event (same request_id; the shadow event's id is the
 * enforced id plus "-shadow", see workers/sts/audit.ts), and the two *policy*
 * decisions are compared (an exchange the policies allowed but the STS then
 * refused counts as an allow, as in replay). Reads at most MAX_PAIRS pairs,
 * oldest first; `truncated` says when the window held more.
 */
import { createRoute, type z } from "@hono/zod-openapi";
import { and, asc, eq, gte, lt, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { auditEvents } from "../../../schema/index.js";
import { SHADOW_ID_SUFFIX } from "../../sts/audit.js";
import { recordedPolicyDecision, type Outcome } from "../../sts/replay.js";
import { flushAuditBuffer } from "../../audit/buffer.js";
import { database, found } from "../../db.js";
import { jsonResponse, PolicySetParams, problems } from "../schemas/common.js";
import { ShadowReport, ShadowReportQuery } from "../schemas/replay.js";
import { newRouter } from "../router.js";
import { policySetIdOfZone } from "../zone-rows.js";

export const shadowReportRouter = newRouter();

export const MAX_PAIRS = 5000;
const EXAMPLES = 5;
const DEFAULT_WINDOW_MS = 24 * 60 * 60 * 1000;
const BUCKET_CHARS = { minute: 16, hour: 13, day: 10 } as const;
const BUCKET_SUFFIX = { minute: ":00.000Z", hour: ":00:00.000Z", day: "T00:00:00.000Z" } as const;

type Report = z.infer<typeof ShadowReport>;
interface Tally {
  evaluated: number;
  agreed: number;
  allow_to_deny: number;
  deny_to_allow: number;
}

const tally = (): Tally => ({ evaluated: 0, agreed: 0, allow_to_deny: 0, deny_to_allow: 0 });

function count(t: Tally, enforced: Outcome, shadow: Outcome): void {
  t.evaluated++;
  if (enforced === shadow) t.agreed++;
  else t[enforced === "allow" ? "allow_to_deny" : "deny_to_allow"]++;
}

const report = createRoute({
  method: "get",
  path: "/zones/{zone}/policy-sets/{set}/shadow-report",
  tags: ["policy sets"],
  summary: "How this set's shadow versions agreed with the enforced decisions",
  description:
    "Pairs every shadow evaluation of a version of this set with the enforced decision of the same request and reports the agreement " +
    "rate, disagreements by direction (allow_to_deny: enforced allowed, shadow would deny) and by client, time buckets, and example request ids.",
  request: { params: PolicySetParams, query: ShadowReportQuery },
  responses: { 200: jsonResponse(ShadowReport, "The shadow report"), ...problems(404) },
});

shadowReportRouter.openapi(report, async (c) => {
  const { zone, set } = c.req.valid("param");
  const q = c.req.valid("query");
  await flushAuditBuffer(c.env, zone);
  const until = new Date(q.until ?? Date.now()).toISOString();
  const since = new Date(q.since ?? Date.parse(until) - DEFAULT_WINDOW_MS).toISOString();
  const shadow = alias(auditEvents, "shadow");
  const enforced = alias(auditEvents, "enforced");
  const db = database(c.env);
  const [setRows, rows] = await db.batch([
    policySetIdOfZone(db, zone, set),
    db
      .select({
        requestId: shadow.requestId,
        time: shadow.time,
        clientId: shadow.clientId,
        shadowDecision: shadow.decision,
        shadowError: shadow.error,
        shadowVersion: shadow.policySetVersionId,
        enforcedId: enforced.id,
        enforcedStatus: enforced.evaluationStatus,
        enforcedEvaluations: enforced.evaluations,
      })
      .from(shadow)
      .leftJoin(
        enforced,
        and(
          eq(enforced.zoneId, shadow.zoneId),
          eq(enforced.requestId, shadow.requestId),
          sql`${enforced.id} || ${SHADOW_ID_SUFFIX} = ${shadow.id}`,
        ),
      )
      .where(
        and(
          eq(shadow.zoneId, zone),
          eq(shadow.evaluationStatus, "shadow"),
          eq(shadow.policySetId, set),
          gte(shadow.time, since),
          lt(shadow.time, until),
        ),
      )
      .orderBy(asc(shadow.time), asc(shadow.id))
      .limit(MAX_PAIRS + 1),
  ]);
  found(setRows, "policy set");

  const total = tally();
  const byClient = new Map<string, Tally & { examples: string[] }>();
  const buckets = new Map<string, Tally>();
  const examples: Report["examples"] = { allow_to_deny: [], deny_to_allow: [] };
  const versions = new Set<string>();
  let shadowErrors = 0;
  let unpaired = 0;
  for (const row of rows.slice(0, MAX_PAIRS)) {
    if (row.shadowVersion) versions.add(row.shadowVersion);
    if (row.shadowError) shadowErrors++;
    if (row.enforcedId === null || row.enforcedStatus === null || row.enforcedEvaluations === null) {
      unpaired++;
      continue;
    }
    const enforcedOutcome = recordedPolicyDecision({
      evaluationStatus: row.enforcedStatus,
      evaluations: row.enforcedEvaluations,
    });
    const shadowOutcome: Outcome = row.shadowDecision === "allow" && !row.shadowError ? "allow" : "deny";
    count(total, enforcedOutcome, shadowOutcome);
    const client = byClient.get(row.clientId) ?? { ...tally(), examples: [] };
    byClient.set(row.clientId, client);
    count(client, enforcedOutcome, shadowOutcome);
    const start = row.time.slice(0, BUCKET_CHARS[q.bucket]) + BUCKET_SUFFIX[q.bucket];
    const bucket = buckets.get(start) ?? tally();
    buckets.set(start, bucket);
    count(bucket, enforcedOutcome, shadowOutcome);
    if (enforcedOutcome !== shadowOutcome) {
      const direction = enforcedOutcome === "allow" ? "allow_to_deny" : "deny_to_allow";
      if (examples[direction].length < EXAMPLES) examples[direction].push(row.requestId);
      if (client.examples.length < EXAMPLES) client.examples.push(row.requestId);
    }
  }
  const body: Report = {
    policy_set_id: set,
    since,
    until,
    ...total,
    agreement_rate: total.evaluated > 0 ? total.agreed / total.evaluated : null,
    shadow_errors: shadowErrors,
    unpaired,
    truncated: rows.length > MAX_PAIRS,
    shadow_versions: [...versions].sort(),
    examples,
    by_client: [...byClient].map(([client_id, t]) => ({ client_id, ...t })).sort((a, b) => a.client_id.localeCompare(b.client_id)),
    buckets: [...buckets].map(([start, t]) => ({ start, ...t })),
  };
  return c.json(body, 200);
});
