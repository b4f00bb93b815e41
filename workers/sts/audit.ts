/**
 * Audit events (docs/architecture.md §7): one per decision and one per shadow evaluation,
 * appended to the zone's audit buffer (a Durable Object that confirms the
 * write, workers/audit/buffer.ts) before the response is sent, so no token
 * leaves the STS without its record; the buffer moves them to D1 within about
 * a second. A decision is recorded once the client is
 * authenticated and its tokens verified; requests refused before that (bad
 * credentials, malformed parameters or tokens) have no policy input and are
 * not audited. Events hold verified claims and the policy
 * input, never raw tokens or secrets.
 */
import type { auditEvents } from "../../schema/index.js";
import { auditBufferOf } from "../audit/buffer.js";
import type { Env } from "../env.js";
import { appendToAuditStream } from "../distribution/audit-stream.js";
import { newId } from "../ids.js";
import type { SetDecision } from "./decision.js";
import { OAuthError } from "./oauth-error.js";
import type { VerifiedToken } from "./subject-token.js";

type AuditRow = typeof auditEvents.$inferInsert;
type EvaluationStatus = "enforced" | "shadow" | "error";

/** What every event of one request shares. */
export interface AuditContext {
  requestId: string;
  zoneId: string;
  time: Date;
  clientId: string;
  subject: VerifiedToken;
  actor: VerifiedToken | null;
  resource: string[];
  audience: string[];
  scopeRequested: string[];
  /** the input document as exact JSON text */
  inputJson: string;
  /** microseconds from the request's start to the decision */
  durationUs: number;
}

export interface Outcome {
  scopeGranted: string[] | null;
  tokenJti: string | null;
  /** said by the STS after the policies decided (e.g. an unsatisfiable scope request) */
  extraReasons?: string[];
  /** the exchange was refused after the policies allowed it */
  refused?: boolean;
}

const party = (token: VerifiedToken) => ({ iss: token.issuer, sub: token.claims.sub });

/** A shadow event's id is its decision's id plus this suffix: it links the two and sorts right after it. */
export const SHADOW_ID_SUFFIX = "-shadow";

export interface Evaluated {
  decision: SetDecision;
  outcome: Outcome;
}

function auditRow(id: string, context: AuditContext, { decision, outcome }: Evaluated, status: EvaluationStatus): AuditRow {
  return {
    id,
    requestId: context.requestId,
    zoneId: context.zoneId,
    time: context.time.toISOString(),
    clientId: context.clientId,
    subject: party(context.subject),
    actor: context.actor ? party(context.actor) : null,
    resource: context.resource,
    audience: context.audience,
    scopeRequested: context.scopeRequested,
    scopeGranted: outcome.scopeGranted,
    decision: outcome.refused ? "deny" : decision.decision,
    evaluationStatus: status,
    policySetId: decision.policySetId,
    policySetVersionId: decision.policySetVersionId,
    determiningPolicies: decision.determining,
    reasons: [...decision.reasons, ...(outcome.extraReasons ?? [])],
    evaluations: decision.evaluations,
    error: decision.error,
    input: context.inputJson,
    durationUs: context.durationUs,
    tokenJti: outcome.tokenJti,
  };
}

/**
 * Stores the request's decision event and, when the zone has a shadow set,
 * its shadow event: one append to the zone's audit buffer (a Durable Object
 * that drains to D1), which stores both or neither; when it fails the
 * exchange answers 503 and issues nothing. The events are also appended to
 * the Redis stream `caracal.audit` (when configured) for live consumers; that
 * append runs in the background (`background`, the request's waitUntil), so
 * a slow Redis never delays the answer and never fails it.
 */
export async function recordDecision(
  env: Env,
  context: AuditContext,
  enforced: Evaluated,
  shadow: Evaluated | null,
  background: (work: Promise<unknown>) => void,
): Promise<void> {
  const id = newId("evt");
  const rows = [auditRow(id, context, enforced, enforced.decision.status === "error" ? "error" : "enforced")];
  if (shadow) rows.push(auditRow(id + SHADOW_ID_SUFFIX, context, shadow, "shadow"));
  background(appendToAuditStream(env, rows));
  await appendToBuffer(env, context.zoneId, rows);
}

async function appendToBuffer(env: Env, zoneId: string, rows: AuditRow[]): Promise<void> {
  try {
    await auditBufferOf(env, zoneId).append(rows);
  } catch (err) {
    console.error(`request ${rows[0]?.requestId}: the audit append failed, so no token is issued`, err);
    throw new OAuthError("temporarily_unavailable", "the decision could not be recorded; retry later");
  }
}
