/**
 * Replay (change safety): re-evaluates the recorded inputs of the zone's
 * enforced decisions against a candidate version of a set and reports every
 * decision that flips, with the policy and rule that decided before and
 * after. Work per call is bounded: one page of at most MAX_REPLAY_LIMIT
 * events, each evaluated under the engine's per-evaluation budget; the cursor
 * continues. Replay reads and evaluates only: it writes nothing.
 */
import { createRoute, type z } from "@hono/zod-openapi";
import { and, asc, desc, eq, gte, inArray, lt } from "drizzle-orm";
import { auditEvents } from "../../../schema/index.js";
import { flushAuditBuffer } from "../../audit/buffer.js";
import { database, found, type Db } from "../../db.js";
import type { Env } from "../../env.js";
import { invalidReference } from "../../http/problem.js";
import { evaluationBudget } from "../../sts/decision.js";
import { loadSetVersion, replayDecision, type ReplayedDecision } from "../../sts/replay.js";
import { wasmDecider } from "../../sts/wasm-policies.js";
import { afterCursor, toPage, type PageDirection } from "../pagination.js";
import { jsonBody, jsonResponse, PolicySetParams, problems } from "../schemas/common.js";
import { ReplayRequest, ReplayResult, type ReplayFlip } from "../schemas/replay.js";
import { newRouter } from "../router.js";
import { policySetIdOfZone, setVersionIdOfZone } from "../zone-rows.js";

export const replayRouter = newRouter();

/** Enforced decisions: the STS's answers (an evaluation that failed closed is one too); never shadow evaluations. */
const ENFORCED_STATUSES = ["enforced", "error"];
const ORDER = { createdAt: auditEvents.time, id: auditEvents.id };

export interface ReplayWindow {
  since?: string | undefined;
  until?: string | undefined;
  decision?: "allow" | "deny" | undefined;
  client?: string | undefined;
  cursor?: string | undefined;
  limit: number;
  /** asc pages oldest first (the API); desc replays the newest decisions of the window (the activation gate) */
  order?: PageDirection;
}

export type ReplaySummary = z.infer<typeof ReplayResult>;

/** Replays one page of the window against `version` (which must be a set version of `set` in `zone`). */
export async function replayWindow(env: Env, zone: string, set: string, version: string, w: ReplayWindow): Promise<ReplaySummary> {
  // Events still in the zone's audit buffer are part of the window: drain them to D1 first.
  await flushAuditBuffer(env, zone);
  const db = database(env);
  const order = w.order ?? "asc";
  const [setRows, versionRows, rows] = await db.batch([
    policySetIdOfZone(db, zone, set),
    setVersionIdOfZone(db, zone, set, version),
    recordedDecisions(db, zone, w, order),
  ]);
  found(setRows, "policy set");
  if (versionRows.length === 0) throw invalidReference(`${version} is not a version of policy set ${set}`);
  const candidate = await loadSetVersion(db, zone, version);
  if (!candidate) throw invalidReference(`${version} is not a version of policy set ${set}`);

  const page = toPage(
    rows,
    w.limit,
    (row) => row,
    (row) => ({ createdAt: row.time, id: row.id }),
  );
  const budget = evaluationBudget(env.POLICY_EVAL_BUDGET);
  const summary: ReplaySummary = {
    policy_set_version_id: version,
    replayed: 0,
    unchanged: 0,
    allow_to_deny: 0,
    deny_to_allow: 0,
    errors: 0,
    flips: [],
    next_cursor: page.next_cursor,
  };
  for (const row of page.items) {
    const replayed = await replayDecision(candidate, row, budget, wasmDecider(env));
    summary.replayed++;
    if (replayed.error) summary.errors++;
    if (replayed.from === replayed.to) summary.unchanged++;
    else {
      summary[replayed.from === "allow" ? "allow_to_deny" : "deny_to_allow"]++;
      summary.flips.push(flipView(replayed, row.time));
    }
  }
  return summary;
}

function recordedDecisions(db: Db, zone: string, w: ReplayWindow, order: PageDirection) {
  const by = order === "asc" ? asc : desc;
  return db
    .select({
      id: auditEvents.id,
      requestId: auditEvents.requestId,
      time: auditEvents.time,
      clientId: auditEvents.clientId,
      decision: auditEvents.decision,
      evaluationStatus: auditEvents.evaluationStatus,
      policySetVersionId: auditEvents.policySetVersionId,
      determiningPolicies: auditEvents.determiningPolicies,
      reasons: auditEvents.reasons,
      evaluations: auditEvents.evaluations,
      input: auditEvents.input,
    })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.zoneId, zone),
        inArray(auditEvents.evaluationStatus, ENFORCED_STATUSES),
        w.decision ? eq(auditEvents.decision, w.decision) : undefined,
        w.client ? eq(auditEvents.clientId, w.client) : undefined,
        // Stored times are Date#toISOString text: normalize so they compare as strings.
        w.since ? gte(auditEvents.time, new Date(w.since).toISOString()) : undefined,
        w.until ? lt(auditEvents.time, new Date(w.until).toISOString()) : undefined,
        afterCursor(ORDER, w.cursor, order),
      ),
    )
    .orderBy(by(auditEvents.time), by(auditEvents.id))
    .limit(w.limit + 1);
}

function flipView(r: ReplayedDecision, time: string): z.infer<typeof ReplayFlip> {
  return {
    request_id: r.requestId,
    client_id: r.clientId,
    time,
    from: r.from,
    to: r.to,
    determining_policies_before: r.determiningBefore,
    determining_policies_after: r.determiningAfter,
    reasons_before: r.reasonsBefore,
    reasons: r.reasonsAfter,
    error: r.error,
  };
}

const replay = createRoute({
  method: "post",
  path: "/zones/{zone}/policy-sets/{set}/replay",
  tags: ["policy sets"],
  summary: "Replay recorded decisions against a candidate version of this set and report the flips",
  description:
    "Re-evaluates the exact recorded policy inputs (request time included) of the zone's enforced decisions, oldest first, " +
    "against `version`, and reports every decision whose outcome would change, with the policy and rule that decided before and after. " +
    "Writes nothing. One call replays at most `limit` decisions; pass `next_cursor` back as `cursor` (same filters) to continue.",
  request: { params: PolicySetParams, body: jsonBody(ReplayRequest) },
  responses: { 200: jsonResponse(ReplayResult, "Counts and flips of this page of decisions"), ...problems(404, 413, 415, 422) },
});

replayRouter.openapi(replay, async (c) => {
  const { zone, set } = c.req.valid("param");
  const { version, ...window } = c.req.valid("json");
  return c.json(await replayWindow(c.env, zone, set, version, window), 200);
});
