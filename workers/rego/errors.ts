/**
 * Structured errors with OPA's codes. Front end and evaluator both report
 * through `RegoError` so the Worker, the CLI and the conformance runners print
 * them the same way (`file:row:col: code: message`).
 */

export interface Location {
  file: string;
  row: number;
  col: number;
}

export type ErrorCode =
  | "rego_parse_error"
  | "rego_compile_error"
  | "rego_unsafe_var_error"
  | "rego_type_error"
  | "rego_recursion_error"
  | "eval_conflict_error"
  | "eval_type_error"
  | "eval_builtin_error"
  | "eval_budget_exceeded"
  | "eval_internal_error"
  | "plan_error";

export interface RegoErrorInfo {
  code: ErrorCode;
  message: string;
  location?: Location;
}

export class RegoError extends Error implements RegoErrorInfo {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly location?: Location,
  ) {
    super(message);
    this.name = "RegoError";
  }

  toJSON(): RegoErrorInfo {
    return this.location ? { code: this.code, message: this.message, location: this.location } : { code: this.code, message: this.message };
  }

  override toString(): string {
    return formatError(this);
  }
}

/** OPA's one-line form: `policy.rego:12:5: rego_unsafe_var_error: var x is unsafe`. */
export function formatError(e: RegoErrorInfo): string {
  const loc = e.location ? `${e.location.file}:${e.location.row}:${e.location.col}: ` : "";
  return `${loc}${e.code}: ${e.message}`;
}

/**
 * A RangeError of an exhausted JavaScript stack ("Maximum call stack size
 * exceeded" in V8 and JavaScriptCore). Told apart by a plain substring test,
 * never a regular expression: the handler runs close to the stack's edge,
 * where compiling or running a RegExp can itself fail (and has aborted V8).
 * Every stage guards its depth explicitly; this is the backstop.
 */
export function isStackOverflow(e: unknown): e is RangeError {
  return e instanceof RangeError && e.message.includes("call stack");
}
