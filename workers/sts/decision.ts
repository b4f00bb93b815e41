/**
 * Decisions per docs/architecture.md §4. A policy-set version is evaluated in order and the
 * first policy that does not deny wins: its decision is allow and its
 * obligations apply. A policy denies when its `allow` is not the boolean
 * true, or its `deny` is defined and is not false or an empty collection.
 * If every policy denies, the decision is deny with the reasons of all of
 * them. No set means deny (`no_active_policy_set`). Any evaluation error,
 * including a budget overrun or a malformed obligation, stops the evaluation
 * and fails closed: never an allow.
 *
 * Policies run in strict mode: a built-in error (division by zero, a bad
 * argument) is an evaluation error, not an undefined value that could quietly
 * empty a `deny` set. Evaluation traces provenance so explain can name the
 * rule bodies (file:row:col) that produced each value.
 *
 * A Wasm version (OPA-compiled) is read through the same rules, all of them in
 * one call to its child Worker (`WasmDecider`); explain shows each
 * entrypoint's value instead of rule locations, which compiled Wasm does not
 * carry.
 */
import {
  DEFAULT_STEP_BUDGET,
  entrypointPlanName,
  fromJS,
  RegoError,
  RObject,
  RSet,
  toJSONText,
  type DataPaths,
  type JSONValue,
  type Location,
  type PreparedPolicy,
  type RuleProvenance,
  type Value,
} from "../rego/index.js";
import { decisionEntrypoint } from "../policy/compile.js";
import type { DecisionRule } from "../policy/decision-rules.js";
import type { SnapshotPolicy, SnapshotSet } from "./zone-cache.js";

export type PolicyOutcome = "allow" | "deny" | "error" | "not_evaluated";

export interface RuleFired {
  /** e.g. `data.payments.allow` */
  rule: string;
  locations: Location[];
}

/** One policy of the set as explain shows it. */
export interface PolicyEvaluation {
  policy_id: string;
  policy_version_id: string;
  policy_name: string;
  package: string;
  /** the bundle manifest's revision, when it has one */
  revision?: string;
  outcome: PolicyOutcome;
  /** its deny reasons, "allow is not true", or the error */
  reasons: string[];
  rules: RuleFired[];
  /** set for Wasm versions only (Rego versions are the default) */
  engine?: "wasm";
  /** a Wasm version's decision entrypoints and the value each produced (undefined ones omitted) */
  entrypoints?: { entrypoint: string; value: JSONValue }[];
  /** what explain cannot show for this policy */
  note?: string;
  /** the paths into the version's data that its deciding rule read (Rego versions; absent when it read none) */
  data_read?: DataRead;
}

/** What the deciding rule read from data, as the engine's trace recorded it (bounded: workers/rego/eval/data-reads.ts). */
export interface DataRead extends DataPaths {
  /** the deciding rule, e.g. `data.payments.allow` */
  rule: string;
}

export const WASM_LOCATIONS_NOTE = "rule locations are not available for compiled Wasm; each entrypoint's value is shown instead";

/** Evaluates a Wasm version's decision rules in one call: rule → JSON value (absent: undefined). */
export interface WasmDecider {
  decide(
    policy: SnapshotPolicy,
    inputJSON: string,
    options: { nowNs: bigint; budget: number },
  ): Promise<Partial<Record<DecisionRule, unknown>>>;
}

/** A Wasm evaluation that failed: the child's own error (abort, conflict, built-in) or the child itself. */
export class WasmEvaluationError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly entrypoint: string | null = null,
  ) {
    super(message);
    this.name = "WasmEvaluationError";
  }
}

export interface DeterminingPolicy {
  policy_id: string;
  policy_version_id: string;
  policy_name: string;
  rule: string;
  location: Location | null;
  /** the bundle manifest's revision, when it has one */
  revision?: string;
}

export interface EvaluationError {
  code: string;
  message: string;
  location?: Location;
}

export interface Obligations {
  /** seconds; caps the token lifetime */
  ttl: number | null;
  /** scopes that may be granted; null when the policy does not say */
  scope: string[] | null;
  /** claims to add to the token (protected claims are filtered when the token is built) */
  claims: Record<string, JSONValue>;
}

export interface SetDecision {
  decision: "allow" | "deny";
  /** "error" when an evaluation error failed the decision closed */
  status: "ok" | "error";
  policySetId: string | null;
  policySetVersionId: string | null;
  evaluations: PolicyEvaluation[];
  determining: DeterminingPolicy[];
  reasons: string[];
  obligations: Obligations | null;
  error: EvaluationError | null;
}

export const NO_ACTIVE_POLICY_SET = "no_active_policy_set";
const NOT_ALLOWED = "allow is not true";

export interface EvaluateOptions {
  /** steps for the whole decision, shared by every rule evaluation of every policy (POLICY_EVAL_BUDGET) */
  budget?: number;
  /** time.now_ns() for every evaluation of this request: the input's request.time_ns */
  nowNs: bigint;
  /** evaluates Wasm versions; absent, a set holding one fails closed */
  wasm?: WasmDecider;
  /** record the data paths the rules read (`data_read`, for explain); default true, replay needs none */
  dataPaths?: boolean;
}

export function evaluationBudget(configured: string | undefined): number {
  const budget = Number(configured);
  return Number.isSafeInteger(budget) && budget > 0 ? budget : DEFAULT_STEP_BUDGET;
}

/** Something the decision contract cannot accept, reported like an evaluation error. */
class ObligationError extends Error {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

/** A deny the STS decides before (or instead of) evaluating any policy. */
export function denialWithoutPolicies(reason: string): SetDecision {
  return {
    decision: "deny",
    status: "ok",
    policySetId: null,
    policySetVersionId: null,
    evaluations: [],
    determining: [],
    reasons: [reason],
    obligations: null,
    error: null,
  };
}

export async function evaluateSet(set: SnapshotSet | null, input: Value, options: EvaluateOptions): Promise<SetDecision> {
  if (!set) return denialWithoutPolicies(NO_ACTIVE_POLICY_SET);
  const base = { policySetId: set.policySetId, policySetVersionId: set.policySetVersionId };
  const evaluations: PolicyEvaluation[] = set.policies.map((p) => ({
    ...policyRef(p),
    package: p.package,
    outcome: "not_evaluated",
    reasons: [],
    rules: [],
  }));
  // Every policy denies until one does not: then these are the deny's determining policies and reasons.
  const determining: DeterminingPolicy[] = [];
  const reasons: string[] = [];

  let inputJSON: string | undefined;
  const inputText = () => (inputJSON ??= toJSONText(input));
  // One budget for the whole decision: a set of 32 policies, each reading several rules, would
  // otherwise run up to a hundred budgets' worth of work on the isolate for one request.
  const budget: SharedBudget = { spent: 0 };
  for (const [i, policy] of set.policies.entries()) {
    const evaluation = evaluations[i] as PolicyEvaluation;
    const run: Run = policy.wasm ? new WasmRun(policy, inputText, options) : new PolicyRun(policy, input, options, budget);
    try {
      const allowed = (await run.value("allow")) === true;
      const denyReasons = denials(await run.value("deny"));
      if (allowed && denyReasons.length === 0) {
        const obligations = await readObligations(run);
        Object.assign(evaluation, { outcome: "allow", rules: run.rulesFired(), ...run.explained(), ...run.dataRead("allow") });
        // The winner alone determines an allow; the policies that denied before it did not.
        const winner = { ...policyRef(policy), rule: run.ruleName("allow"), location: run.firstLocation("allow") };
        return { ...base, decision: "allow", status: "ok", evaluations, determining: [winner], reasons: [], obligations, error: null };
      }
      const deciding: DecisionRule = denyReasons.length > 0 ? "deny" : "allow";
      const own = denyReasons.length > 0 ? denyReasons : [NOT_ALLOWED];
      Object.assign(evaluation, { outcome: "deny", reasons: own, rules: run.rulesFired(), ...run.explained(), ...run.dataRead(deciding) });
      determining.push({ ...policyRef(policy), rule: run.ruleName(deciding), location: run.firstLocation(deciding) });
      reasons.push(...own.map((r) => `${policy.policyName}: ${r}`));
    } catch (err) {
      const error = asEvaluationError(err, run);
      Object.assign(evaluation, {
        outcome: "error",
        reasons: [`${error.code}: ${error.message}`],
        rules: run.rulesFired(),
        ...run.explained(),
      });
      return {
        ...base,
        decision: "deny",
        status: "error",
        evaluations,
        determining: [{ ...policyRef(policy), rule: run.current ?? run.ruleName("allow"), location: error.location ?? null }],
        reasons: [`${policy.policyName}: ${error.code}: ${error.message}`],
        obligations: null,
        error,
      };
    }
  }
  return { ...base, decision: "deny", status: "ok", evaluations, determining, reasons, obligations: null, error: null };
}

function policyRef(p: SnapshotPolicy) {
  return {
    policy_id: p.policyId,
    policy_version_id: p.policyVersionId,
    policy_name: p.policyName,
    ...(p.revision !== null ? { revision: p.revision } : {}),
  };
}

/** One policy's decision rules as the set reads them. */
interface Run {
  /** the rule being evaluated: named by an error */
  current: string | undefined;
  ruleName(rule: DecisionRule): string;
  value(rule: DecisionRule): Promise<Value | undefined>;
  firstLocation(rule: DecisionRule): Location | null;
  rulesFired(): RuleFired[];
  /** what explain shows besides the rules fired */
  explained(): Partial<PolicyEvaluation>;
  /** `data_read` for explain: what the deciding rule read from data, when it read anything */
  dataRead(rule: DecisionRule): Partial<PolicyEvaluation>;
}

/** A Wasm version: every decision rule from one call into its child, on first use. */
class WasmRun implements Run {
  private values: Partial<Record<DecisionRule, unknown>> | undefined;
  current: string | undefined;

  constructor(
    private readonly policy: SnapshotPolicy,
    private readonly inputJSON: () => string,
    private readonly options: EvaluateOptions,
  ) {}

  ruleName(rule: DecisionRule): string {
    return decisionEntrypoint(this.policy.package, rule);
  }

  async value(rule: DecisionRule): Promise<Value | undefined> {
    this.current = this.ruleName(rule);
    if (this.values === undefined) {
      const decider = this.options.wasm;
      if (!decider)
        throw new WasmEvaluationError("wasm_unavailable", "this isolate cannot evaluate Wasm policies (no Worker Loader binding)");
      this.values = await decider.decide(this.policy, this.inputJSON(), {
        nowNs: this.options.nowNs,
        budget: this.options.budget ?? DEFAULT_STEP_BUDGET,
      });
    }
    const v = this.values[rule];
    return v === undefined ? undefined : fromJS(v);
  }

  firstLocation(): Location | null {
    return null;
  }

  rulesFired(): RuleFired[] {
    return [];
  }

  dataRead(): Partial<PolicyEvaluation> {
    return {};
  }

  explained(): Partial<PolicyEvaluation> {
    const path = this.policy.package.replaceAll(".", "/");
    const entrypoints = Object.entries(this.values ?? {}).flatMap(([rule, value]) =>
      value === undefined ? [] : [{ entrypoint: `${path}/${rule}`, value: value as JSONValue }],
    );
    return { engine: "wasm", entrypoints, note: WASM_LOCATIONS_NOTE };
  }
}

/** The steps of the decision's budget that its evaluations have used so far. */
interface SharedBudget {
  spent: number;
}

/** Evaluations of one policy's decision rules, collecting what fired. */
class PolicyRun implements Run {
  private readonly fired = new Map<string, Location[]>();
  /** decision rule → the data paths its evaluation read */
  private readonly read = new Map<DecisionRule, DataPaths>();
  /** the rule being evaluated: named by an error */
  current: string | undefined;

  constructor(
    private readonly policy: SnapshotPolicy,
    private readonly input: Value,
    private readonly options: EvaluateOptions,
    private readonly budget: SharedBudget,
  ) {}

  ruleName(rule: DecisionRule): string {
    return decisionEntrypoint(this.policy.package, rule);
  }

  async value(rule: DecisionRule): Promise<Value | undefined> {
    const prepared = this.policy.prepared;
    this.current = this.ruleName(rule);
    if (!isPrepared(prepared))
      throw new RegoError(prepared.code, `the policy's plan cannot be loaded: ${prepared.message}`, prepared.location);
    const result = await prepared.evaluate(
      entrypointPlanName(this.current),
      // The version's data, decoded once when the isolate prepared it: never converted per request.
      { input: this.input, data: this.policy.data },
      {
        strict: true,
        trace: true,
        dataPaths: this.options.dataPaths ?? true,
        budget: this.options.budget ?? DEFAULT_STEP_BUDGET,
        spent: this.budget.spent,
        nowNs: this.options.nowNs,
      },
    );
    this.budget.spent = result.steps;
    for (const p of result.provenance ?? []) this.record(p);
    if (result.dataPaths) this.read.set(rule, result.dataPaths);
    const row = result.results[0];
    return row instanceof RObject ? row.getString("result") : undefined;
  }

  private record(p: RuleProvenance): void {
    const known = this.fired.get(p.rule) ?? [];
    for (const loc of p.locations) {
      if (!known.some((k) => k.file === loc.file && k.row === loc.row && k.col === loc.col)) known.push(loc);
    }
    this.fired.set(p.rule, known);
  }

  firstLocation(rule: DecisionRule): Location | null {
    return this.fired.get(this.ruleName(rule))?.[0] ?? null;
  }

  rulesFired(): RuleFired[] {
    return [...this.fired].map(([rule, locations]) => ({ rule, locations }));
  }

  explained(): Partial<PolicyEvaluation> {
    return {};
  }

  dataRead(rule: DecisionRule): Partial<PolicyEvaluation> {
    const read = this.read.get(rule);
    if (!read || (read.paths.length === 0 && read.missing.length === 0)) return {};
    return { data_read: { rule: this.ruleName(rule), ...read } };
  }
}

function isPrepared(p: SnapshotPolicy["prepared"]): p is PreparedPolicy {
  return typeof (p as PreparedPolicy).evaluate === "function";
}

/** A deny value's reasons: none when undefined, false or an empty collection (docs/architecture.md §4: a set of strings). */
function denials(value: Value | undefined): string[] {
  if (value === undefined || value === false) return [];
  const members = value instanceof RSet ? value.values() : Array.isArray(value) ? value : value instanceof RObject ? value.keys() : [value];
  return members.map((m) => (typeof m === "string" ? m : toJSONText(m)));
}

async function readObligations(run: Run): Promise<Obligations> {
  const [ttl, scope, claims] = [await run.value("ttl"), await run.value("scope"), await run.value("claims")];
  return {
    ttl: ttlSeconds(ttl, run.ruleName("ttl")),
    scope: scopeList(scope, run.ruleName("scope")),
    claims: claimsObject(claims, run.ruleName("claims")),
  };
}

function ttlSeconds(value: Value | undefined, rule: string): number | null {
  if (value === undefined) return null;
  const seconds = typeof value === "bigint" ? Number(value) : value;
  if (typeof seconds !== "number" || !(seconds >= 1))
    throw new ObligationError(rule, `ttl must be a number of seconds >= 1, got ${toJSONText(value)}`);
  return Math.floor(seconds);
}

function scopeList(value: Value | undefined, rule: string): string[] | null {
  if (value === undefined) return null;
  const members = value instanceof RSet ? value.values() : Array.isArray(value) ? value : undefined;
  if (!members?.every((m): m is string => typeof m === "string")) {
    throw new ObligationError(rule, "scope must be a set or array of strings");
  }
  return members;
}

function claimsObject(value: Value | undefined, rule: string): Record<string, JSONValue> {
  if (value === undefined) return {};
  if (!(value instanceof RObject) || !value.keys().every((k) => typeof k === "string")) {
    throw new ObligationError(rule, "claims must be an object with string keys");
  }
  // JWT claims are JSON numbers: integers beyond 2^53 cannot be carried exactly.
  return JSON.parse(toJSONText(value)) as Record<string, JSONValue>;
}

function asEvaluationError(err: unknown, run: Run): EvaluationError {
  if (err instanceof WasmEvaluationError)
    return { code: err.code, message: err.entrypoint ? `${err.entrypoint}: ${err.message}` : err.message };
  if (err instanceof RegoError) return { code: err.code, message: err.message, ...(err.location ? { location: err.location } : {}) };
  if (err instanceof ObligationError) return { code: "invalid_obligation", message: `${err.rule}: ${err.message}` };
  console.error(`evaluation of ${run.current} failed unexpectedly`, err);
  return { code: "eval_internal_error", message: err instanceof Error ? err.message : String(err) };
}
