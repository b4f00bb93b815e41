/**
 * `prepare(plan)` decodes, validates and lowers a plan once; the prepared
 * policy's `evaluate` runs an entrypoint against input and data as often as
 * needed. Evaluation is synchronous; a built-in that needs WebCrypto suspends
 * it, and `evaluate` re-runs it once the work has settled (deterministic
 * evaluation makes the re-run reach the same point with the answer cached).
 */
import { RegoError, isStackOverflow, type Location } from "../errors.js";
import type { Value } from "../value/index.js";
import { RObject } from "../value/index.js";
import { Suspend } from "../builtins/index.js";
import { decodePlan, decodePlanText } from "../plan/decode.js";
import { buildProgram, type Program } from "./program.js";
import { Evaluation, type Clock } from "./interpreter.js";
import { DataReads, type DataPaths } from "./data-reads.js";
import { ruleName } from "./depth.js";

export { MAX_DATA_PATHS, type DataPaths } from "./data-reads.js";

export const DEFAULT_STEP_BUDGET = 1_000_000;
const MAX_RESUMES = 256;

export interface EvalOptions {
  /** Raise built-in errors instead of treating them as undefined. */
  strict?: boolean;
  /** Maximum statements executed before `eval_budget_exceeded`. */
  budget?: number;
  /**
   * Steps of `budget` already used by evaluations that share it (the rules and policies of one
   * token exchange): this evaluation may use the rest. Default 0.
   */
  spent?: number;
  /** time.now_ns() for this evaluation; defaults to the current time. */
  nowNs?: bigint;
  /**
   * Record which statements produced each rule's value and which paths into
   * data the evaluation read (for explain).
   */
  trace?: boolean;
  /** With `trace`, whether to record the data paths read too (default true; replays that never explain can skip them). */
  dataPaths?: boolean;
  /**
   * Receives each line `print(...)` writes, as OPA's print hook does. Without
   * it print statements still evaluate (to true) but write nothing. Lines
   * are delivered once the evaluation ends (also when it fails), so the re-runs
   * that asynchronous work causes do not print twice.
   */
  print?: (message: string) => void;
}

export interface EvalInput {
  input?: Value;
  /**
   * Never changed once evaluated against: rules that read only data keep their values for this
   * document (by identity) from one evaluation to the next (rule-cache.ts).
   */
  data?: Value;
}

export interface RuleProvenance {
  /** plan function name, e.g. `g0.data.payments.allow` */
  func: string;
  /** the rule's path, e.g. `data.payments.allow` */
  rule: string;
  /** where the statements that produced the value are, in source order */
  locations: Location[];
}

export interface EvalResult {
  /** the result set, one row object per result */
  results: Value[];
  /** the steps of the budget used, `spent` included: what a following evaluation sharing the budget passes as its `spent` */
  steps: number;
  provenance?: RuleProvenance[];
  /** with `trace`: the paths into data the evaluation read (bounded; see eval/data-reads.ts) */
  dataPaths?: DataPaths;
}

export interface PreparedPolicy {
  readonly entrypoints: string[];
  evaluate(entrypoint: string, doc?: EvalInput, options?: EvalOptions): Promise<EvalResult>;
  /** Synchronous evaluation; fails if a built-in needs asynchronous work. */
  evaluateSync(entrypoint: string, doc?: EvalInput, options?: EvalOptions): EvalResult;
}

type Settled = ConstructorParameters<typeof Evaluation>[2];

/**
 * What the runs of one evaluation share: the asynchronous work settled so far, the clock, and the
 * steps used before the next run (by the earlier, suspended runs, and the evaluations sharing the
 * budget: EvalOptions.spent). A re-run repeats their work, so the budget bounds all runs together:
 * otherwise each asynchronous call would buy a fresh budget (up to MAX_RESUMES).
 */
interface Runs {
  readonly settled: Settled;
  readonly clock: Clock;
  spent: number;
}

const EMPTY_DATA = new RObject();
const NO_OPTIONS: EvalOptions = {};
/** Synchronous evaluation never settles asynchronous work, so it can share an empty table. */
const NOTHING_SETTLED: Settled = new Map();

/** Decodes, validates and lowers `plan` (plan JSON text or parsed data). */
export function prepare(plan: unknown): PreparedPolicy {
  try {
    if (typeof plan === "string") {
      // Text (as stored): checked in place and lowered function by function as evaluations reach them.
      const { policy, uses } = decodePlanText(plan);
      return new Prepared(buildProgram(policy, uses));
    }
    return new Prepared(buildProgram(decodePlan(plan)));
  } catch (e) {
    // A plan nested beyond what decoding and lowering handle (the front end's nesting limit keeps its own plans well inside).
    if (isStackOverflow(e)) throw new RegoError("plan_error", "plan too deeply nested (the engine's stack was exhausted)");
    throw e;
  }
}

class Prepared implements PreparedPolicy {
  readonly entrypoints: string[];

  constructor(private readonly program: Program) {
    this.entrypoints = [...program.plans.keys()];
  }

  evaluateSync(entrypoint: string, doc: EvalInput = {}, options: EvalOptions = NO_OPTIONS): EvalResult {
    return this.run(entrypoint, doc, options, { settled: NOTHING_SETTLED, clock: clockOf(options), spent: options.spent ?? 0 }, true);
  }

  async evaluate(entrypoint: string, doc: EvalInput = {}, options: EvalOptions = {}): Promise<EvalResult> {
    const runs: Runs = { settled: new Map(), clock: clockOf(options), spent: options.spent ?? 0 };
    for (let i = 0; ; i++) {
      try {
        return this.run(entrypoint, doc, options, runs, false);
      } catch (e) {
        if (!(e instanceof Suspend)) throw e;
        // Reachable only with a raised budget: the default one runs out first (costs.ts charges each new operation).
        if (i >= MAX_RESUMES)
          throw new RegoError("eval_budget_exceeded", `evaluation waited for asynchronous work (WebCrypto) more than ${MAX_RESUMES} times`);
        await e.pending;
      }
    }
  }

  private run(entrypoint: string, doc: EvalInput, options: EvalOptions, runs: Runs, sync: boolean): EvalResult {
    const plan = this.program.plans.get(entrypoint);
    if (!plan) throw new RegoError("eval_internal_error", `unknown entrypoint ${JSON.stringify(entrypoint)}`);
    const printed: string[] | undefined = options.print ? [] : undefined;
    const flush = () => {
      if (printed && options.print) for (const line of printed) options.print(line);
    };
    const budget = options.budget ?? DEFAULT_STEP_BUDGET;
    // NaN compares false with every step count, and a negative spent adds steps: either would lift the bound.
    if (!(budget >= 0) || !(runs.spent >= 0))
      throw new RegoError("eval_internal_error", "the step budget and the steps spent must be non-negative numbers");
    const data = doc.data ?? EMPTY_DATA;
    const dataReads = options.trace && options.dataPaths !== false ? new DataReads(data) : undefined;
    const ev = new Evaluation(
      this.program,
      {
        strict: options.strict ?? false,
        budget,
        trace: options.trace ?? false,
        print: printed ? (line) => void printed.push(line) : undefined,
        dataReads,
        spent: runs.spent,
      },
      runs.settled,
      runs.clock,
    );
    try {
      ev.runPlan(plan.blocks, plan.nlocals, doc.input, data);
      flush();
    } catch (e) {
      if (e instanceof Suspend) runs.spent = ev.stepsUsed;
      else flush();
      if (e instanceof Suspend && sync) throw new RegoError("eval_internal_error", "a built-in needs asynchronous work: use evaluate()");
      // The depth limit (depth.ts) keeps evaluation off the stack's edge; this is the backstop.
      if (isStackOverflow(e))
        throw new RegoError("eval_budget_exceeded", "evaluation nested too deeply (the engine's stack was exhausted)");
      throw e;
    }
    const result: EvalResult = { results: ev.results, steps: ev.stepsUsed };
    if (ev.fired) result.provenance = provenance(this.program, ev.fired);
    if (dataReads) result.dataPaths = dataReads.result();
    return result;
  }
}

function clockOf(options: EvalOptions): Clock {
  return options.nowNs === undefined ? {} : { nowNs: options.nowNs };
}

function provenance(program: Program, fired: Map<string, Set<number>>): RuleProvenance[] {
  const out: RuleProvenance[] = [];
  for (const [func, locs] of fired) {
    const locations = [...locs]
      .map((i) => program.locations[i] as Location)
      .sort((a, b) => a.file.localeCompare(b.file) || a.row - b.row || a.col - b.col);
    out.push({ func, rule: ruleName(func), locations });
  }
  return out;
}
