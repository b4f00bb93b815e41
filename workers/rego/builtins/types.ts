/**
 * The contract between the evaluator and built-in functions.
 *
 * A built-in receives its evaluated arguments and returns a value, or
 * `undefined` when its result is undefined. It reports bad input by throwing
 * `BuiltinError` (see ./args.ts for the helpers that check operand types); the
 * evaluator turns that into `eval_type_error`/`eval_builtin_error` prefixed with
 * the built-in's name, and — unless strict mode is on — into an undefined
 * expression, as OPA does.
 */
import type { Value } from "../value/index.js";

export interface BuiltinContext {
  /** Nanoseconds since the epoch, fixed for the whole evaluation. */
  readonly nowNs: bigint;
  /** Strict built-in errors: errors are raised instead of being undefined. */
  readonly strict: boolean;
  /** Per-evaluation memo, for built-ins that are expensive to repeat. */
  readonly cache: Map<string, unknown>;
  /**
   * Runs asynchronous work (WebCrypto) from a synchronous built-in. Returns the
   * result when this evaluation has already awaited `start()` for `key`;
   * otherwise starts it and suspends the evaluation, which the evaluator
   * resumes by running again once the promise has settled. `key` must identify
   * the work completely (name + arguments): evaluation is deterministic, so the
   * rerun asks for the same keys in the same order. `steps` is the work's cost
   * (costs.ts), charged when it starts: an answer already settled costs the
   * caller's own work only.
   */
  awaitAsync<T>(key: string, steps: number, start: () => Promise<T>): T;
  /**
   * Charges `steps` to the evaluation's step budget, for built-ins whose work
   * grows with their input (ranges, expansions); throws when it is exhausted.
   */
  charge(steps: number): void;
  /**
   * Charges `steps` for compiling `key` into `cache`'s programs, unless this
   * evaluation has already: the compile caches keep a program far longer
   * than one evaluation uses it, and a charge that depended on what other
   * evaluations compiled would make a decision depend on them.
   */
  chargeCompile(cache: CompileCache, key: string, steps: number): void;
  /** Where `print(...)` output goes (EvalOptions.print); without it print only evaluates to true. */
  readonly print?: ((message: string) => void) | undefined;
  /** Calls another built-in by name; throws if it is unknown. */
  callBuiltin(name: string, args: Value[]): Value | undefined;
}

/** The built-ins' caches of compiled patterns (goruntime/regexp.ts, builtins/glob.ts). */
export type CompileCache = "regex" | "glob";

export type BuiltinFn = (args: Value[], ctx: BuiltinContext) => Value | undefined;

/** One family of built-ins (strings, time, …), registered by name. */
export type BuiltinTable = Record<string, BuiltinFn>;

export type BuiltinErrorKind = "eval_type_error" | "eval_builtin_error";

export class BuiltinError extends Error {
  constructor(
    readonly code: BuiltinErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "BuiltinError";
  }
}

/**
 * A documented engine limit was hit (e.g. the integer size cap). Unlike a
 * BuiltinError it is never turned into an undefined expression: the
 * evaluation fails, so a policy cannot be steered around a limit (fail closed).
 */
export class LimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LimitError";
  }
}

/** Thrown by `awaitAsync` to unwind a synchronous evaluation; never escapes `evaluate`. */
export class Suspend {
  constructor(readonly pending: Promise<unknown>) {}
}
