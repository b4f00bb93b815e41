/**
 * Audit events (DESIGN §7): one per decision and one per shadow evaluation,
 * written in one D1 statement before the response is sent, so no token leaves
 * the STS without its record. Events hold verified claims and the policy
 * input, never raw tokens or secrets.
 */
import { auditEvents } from "../../schema/index.js";
import { database } from "../admin/db.js";
import type { Env } from "../env.js";
import { newId } from "../ids.js";
import type { SetDecision } from "./decision.js";
import type { VerifiedToken } from "./subject-token.js";

export type AuditRow = typeof auditEvents.$inferInsert;
export type EvaluationStatus = "enforced" | "shadow" | "error";

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

export function auditRow(context: AuditContext, decision: SetDecision, status: EvaluationStatus, outcome: Outcome): AuditRow {
  return {
    id: newId("evt"),
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

/** One INSERT for all of a request's events: a single D1 round trip, atomic. */
export async function writeAudit(env: Env, rows: AuditRow[]): Promise<void> {
  await database(env).insert(auditEvents).values(rows);
}
