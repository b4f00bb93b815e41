/**
 * Replay: re-evaluate a recorded decision's exact policy input (request time
 * included) against another policy-set version, with the STS's own decision
 * code (`evaluateSet`) and the zone cache's way of loading and preparing a
 * set version — so a replayed decision is the decision the STS would have
 * made had that version been active. Nothing here writes anything.
 *
 * The recorded side of the comparison is the *policy* decision: an exchange
 * the policies allowed but the STS refused afterwards (e.g. no grantable
 * scope) is recorded as a deny, yet its policies allowed it, and the
 * candidate is judged on the same footing. Decisions the STS makes before any
 * policy runs (a may_act refusal) are never policy decisions and replay as
 * unchanged. See docs/architecture.md (change safety).
 */
import { parseJSON, type Value } from "../rego/index.js";
import type { Db } from "../db.js";
import { MAY_ACT_DENIED } from "./token-exchange.js";
import { evaluateSet, type DeterminingPolicy, type PolicyEvaluation, type SetDecision, type WasmDecider } from "./decision.js";
import { timeNs } from "./input.js";
import { loadSets, type SnapshotSet } from "./zone-cache.js";

/** The columns of an audit event that replay reads. */
export interface RecordedDecision {
  requestId: string;
  time: string;
  clientId: string;
  decision: string;
  evaluationStatus: string;
  policySetVersionId: string | null;
  determiningPolicies: unknown[];
  reasons: string[];
  evaluations: unknown[];
  input: string;
}

export type Outcome = "allow" | "deny";

export interface ReplayedDecision {
  requestId: string;
  clientId: string;
  from: Outcome;
  to: Outcome;
  /** the candidate's evaluation failed (budget, built-in error, …): it fails closed, so `to` is deny */
  error: { code: string; message: string } | null;
  determiningBefore: DeterminingPolicy[];
  determiningAfter: DeterminingPolicy[];
  reasonsBefore: string[];
  reasonsAfter: string[];
}

/** A set version of the zone, prepared exactly as the STS prepares an active one; null if the zone has no such version. */
export async function loadSetVersion(db: Db, zoneId: string, setVersionId: string): Promise<SnapshotSet | null> {
  return (await loadSets(db, zoneId, [setVersionId])).get(setVersionId) ?? null;
}

/** What the policies of the recorded set decided (not what the STS answered after them). */
export function recordedPolicyDecision(row: Pick<RecordedDecision, "evaluationStatus" | "evaluations">): Outcome {
  if (row.evaluationStatus === "error") return "deny";
  return (row.evaluations as PolicyEvaluation[]).some((e) => e.outcome === "allow") ? "allow" : "deny";
}

/** Decided by the STS before any policy ran: the candidate cannot change it. */
function decidedWithoutPolicies(row: RecordedDecision): boolean {
  return row.policySetVersionId === null && row.evaluations.length === 0 && row.reasons.includes(MAY_ACT_DENIED);
}

/** `wasm` evaluates the set's OPA-Wasm versions, as it does in the STS (absent: they fail closed). */
export async function replayDecision(
  set: SnapshotSet,
  row: RecordedDecision,
  budget: number,
  wasm?: WasmDecider,
): Promise<ReplayedDecision> {
  const from = recordedPolicyDecision(row);
  const before = {
    requestId: row.requestId,
    clientId: row.clientId,
    from,
    determiningBefore: row.determiningPolicies as DeterminingPolicy[],
    reasonsBefore: row.reasons,
  };
  if (decidedWithoutPolicies(row)) {
    return { ...before, to: from, error: null, determiningAfter: before.determiningBefore, reasonsAfter: row.reasons };
  }
  let input: Value;
  try {
    input = parseJSON(row.input);
  } catch (err) {
    return failed(before, "replay_input_error", `the recorded input cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  // time.now_ns() sees the recorded request's time, exactly as the STS passed it.
  // Replay compares outcomes only: no data paths (explain's data_read) to record.
  const decision: SetDecision = await evaluateSet(set, input, {
    budget,
    nowNs: timeNs(new Date(row.time)),
    dataPaths: false,
    ...(wasm ? { wasm } : {}),
  });
  return {
    ...before,
    to: decision.decision,
    error: decision.error ? { code: decision.error.code, message: decision.error.message } : null,
    determiningAfter: decision.determining,
    reasonsAfter: decision.reasons,
  };
}

function failed(before: Omit<ReplayedDecision, "to" | "error" | "determiningAfter" | "reasonsAfter">, code: string, message: string) {
  return { ...before, to: "deny" as const, error: { code, message }, determiningAfter: [], reasonsAfter: [`${code}: ${message}`] };
}
