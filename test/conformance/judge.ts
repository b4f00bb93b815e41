/**
 * What a conformance case expects and whether an outcome meets it, shared by
 * the plan runner and the end-to-end runner: the case's input (JSON or a Rego
 * term), data, strictness, and the rows or the error OPA produced.
 */
import { RObject, RegoError, toJSONText, type Value } from "../../workers/rego/index.js";
import { parseTerm } from "../../workers/rego/syntax/index.js";
import { groundValue } from "../../workers/rego/syntax/value.js";
import type { CaseRecord } from "./cases.js";
import { sameRows } from "./compare.js";

export type Outcome = "passed" | "failed" | "skipped";

export interface CaseResult {
  id: string;
  topic: string;
  note: string;
  outcome: Outcome;
  detail?: string;
}

export interface Expectation {
  input: Value | undefined;
  data: Value;
  strict: boolean;
  /** the rows OPA returned (undefined when it expects an error) */
  rows: Value | undefined;
  code: Value | undefined;
  message: Value | undefined;
  sort: boolean;
}

/** A Rego term string (`input_term`) as a value. */
export function termInput(source: string): Value {
  const { term, errors } = parseTerm(source);
  const v = term ? groundValue(term) : undefined;
  if (errors.length > 0 || v === undefined) throw new Error(`input_term ${JSON.stringify(source)} is not a ground term`);
  return v;
}

/** The case's expectation, with the rows read from `rowsField`; throws on an unreadable `input_term`. */
export function expectationOf(c: CaseRecord, rowsField: "want_result" | "want_plan_result"): Expectation {
  const f = c.fields;
  const inputTerm = f.getString("input_term");
  return {
    input: typeof inputTerm === "string" ? termInput(inputTerm) : f.getString("input"),
    data: f.getString("data") ?? new RObject(),
    strict: f.getString("strict_error") === true,
    rows: f.getString(rowsField),
    code: f.getString("want_error_code"),
    message: f.getString("want_error"),
    sort: f.getString("sort_bindings") === true,
  };
}

/** OPA's text of an evaluation error: `file:row: code: message`. */
export function opaErrorText(e: RegoError): string {
  const loc = e.location ? `${e.location.file}:${e.location.row}: ` : "";
  return `${loc}${e.code}: ${e.message}`;
}

/**
 * Runs `evaluate` and judges its rows, or its error, against the expectation.
 * `errorText` renders an error as OPA would print it for this runner.
 */
export async function judge(
  c: CaseRecord,
  want: Expectation,
  evaluate: () => Promise<Value[]>,
  errorText: (e: RegoError) => string = opaErrorText,
): Promise<CaseResult> {
  const base = { id: c.id, topic: c.topic, note: c.note };
  const failed = (detail: string): CaseResult => ({ ...base, outcome: "failed", detail });
  let rows: Value[];
  try {
    rows = await evaluate();
  } catch (e) {
    if (!(e instanceof RegoError)) return failed(`crash: ${(e as Error)?.stack ?? e}`);
    // One case expects both rows (OPA's plan evaluator) and, in strict mode, an error (topdown): either answer is OPA's.
    if (Array.isArray(want.rows) && want.code === undefined) return failed(`unexpected error: ${e.code}: ${e.message}`);
    if (want.code !== undefined && e.code !== want.code) return failed(`error code ${e.code} (${e.message}), want ${String(want.code)}`);
    if (typeof want.message === "string" && !errorText(e).includes(want.message))
      return failed(`error ${JSON.stringify(errorText(e))}, want ${JSON.stringify(want.message)}`);
    return { ...base, outcome: "passed" };
  }
  if (!Array.isArray(want.rows))
    return failed(`no error, want ${String(want.code ?? "")} ${String(want.message ?? "")}; got ${show(rows)}`);
  if (!sameRows(rows, want.rows, want.sort)) return failed(`results differ:\n  got  ${show(rows)}\n  want ${show(want.rows)}`);
  return { ...base, outcome: "passed" };
}

function show(rows: Value | Value[]): string {
  const s = toJSONText(rows as Value);
  return s.length > 600 ? s.slice(0, 600) + "…" : s;
}
