/**
 * GraphQL errors as gqlparser reports them (gqlerror.Error / gqlerror.List),
 * and OPA's rewording of them (formatGqlParserError in topdown/graphql.go),
 * which is what policies see in eval_builtin_error messages.
 */
import type { Position } from "./ast.js";

/** One parse or validation error: gqlerror.Error. */
export class GqlError extends Error {
  constructor(
    message: string,
    /** 1-based location, when gqlparser knows one. */
    readonly location: Position | null,
    /** The source name: empty for policy-supplied text, which Go prints as "input". */
    readonly file = "",
  ) {
    super(message);
    this.name = "GqlError";
  }

  /** gqlerror.Error.Error(): `input:LINE:COL: message`. */
  text(): string {
    let out = this.file === "" ? "input" : this.file;
    if (this.location !== null) out += `:${this.location.Line}:${this.location.Column}`;
    return out + ": " + this.message;
  }
}

/** A list of validation errors: gqlerror.List.Error() ends every error with a newline. */
export function listText(errors: GqlError[]): string {
  return errors.map((e) => e.text() + "\n").join("");
}

/**
 * A policy's input is over one of our size limits (./limits.ts). Not a
 * GraphQL error: every graphql.* built-in reports it, even those that answer
 * false for invalid documents, so a policy cannot mistake it for a verdict.
 */
export class GqlLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GqlLimitError";
  }
}

const DIGITS = /^[0-9]+$/;

/**
 * OPA's formatGqlParserError: split the Go error text on the first three
 * colons; when the second and third parts are numbers, answer
 * `MESSAGE in GraphQL string at location L:C` (dropping one trailing ".\n",
 * which a list of errors ends with), otherwise `GraphQL parse error: TEXT`.
 */
export function opaMessage(goText: string): string {
  const parts = splitN(goText, ":", 4);
  if (parts.length >= 4) {
    const [, row, col, rest] = parts as [string, string, string, string];
    if (DIGITS.test(row) && DIGITS.test(col)) {
      let msg = rest.replace(/^ +/, "");
      if (msg.endsWith(".\n")) msg = msg.slice(0, -2);
      return `${msg} in GraphQL string at location ${BigInt(row)}:${BigInt(col)}`;
    }
  }
  return `GraphQL parse error: ${goText}`;
}

/** Go's strings.SplitN. */
function splitN(s: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}
