/**
 * Runs OPA's Rego conformance cases end to end: our front end compiles the
 * modules and the query to a plan, our evaluator runs it, and the rows are
 * compared with `want_result` (or the error with `want_error_code`/`want_error`).
 */
import { FORBIDDEN_BUILTINS, RObject, RegoError, compile, formatError, prepare, toJSONText, type Value } from "../../workers/rego/index.js";
import { parseTerm } from "../../workers/rego/syntax/index.js";
import { groundValue } from "../../workers/rego/syntax/value.js";
import { sameRows } from "./compare.js";
import type { CaseRecord } from "./cases.js";
import type { CaseResult } from "./plans.js";

export interface CaseOptions {
  regoVersion?: 0 | 1;
}

/** A Rego term string (`input_term`) as a value. */
export function termInput(source: string): Value {
  const { term, errors } = parseTerm(source);
  const v = term ? groundValue(term) : undefined;
  if (errors.length > 0 || v === undefined) throw new Error(`input_term ${JSON.stringify(source)} is not a ground term`);
  return v;
}

export async function runRegoCase(c: CaseRecord, options: CaseOptions = {}): Promise<CaseResult> {
  const base = { id: c.id, topic: c.topic, note: c.note };
  const f = c.fields;
  const modules = (f.getString("modules") as Value[] | undefined) ?? [];
  const query = f.getString("query");
  if (typeof query !== "string") return { ...base, outcome: "skipped", detail: "no query" };
  let input: Value | undefined = f.getString("input");
  const inputTerm = f.getString("input_term");
  try {
    if (typeof inputTerm === "string") input = termInput(inputTerm);
  } catch (e) {
    return { ...base, outcome: "failed", detail: (e as Error).message };
  }
  const data = f.getString("data") ?? new RObject();
  const strict = f.getString("strict_error") === true;
  const want = f.getString("want_result");
  const wantCode = f.getString("want_error_code");
  const wantError = f.getString("want_error");
  const sort = f.getString("sort_bindings") === true;

  const compiled = compile({
    modules: modules.map((m, i) => ({ name: `test-${i}.rego`, source: String(m) })),
    query,
    options: { regoVersion: options.regoVersion ?? 1 },
  });
  if (!compiled.plan) {
    const msg = compiled.errors.map(formatError).join("; ");
    const forbidden = [...FORBIDDEN_BUILTINS.keys()].find((name) => compiled.errors.some((e) => e.message.startsWith(`${name}: `)));
    if (forbidden) return { ...base, outcome: "skipped", detail: `uses ${forbidden}, rejected by design` };
    if (wantCode !== undefined && compiled.errors.some((e) => e.code === wantCode)) return { ...base, outcome: "passed" };
    return { ...base, outcome: "failed", detail: `compile: ${msg}` };
  }
  let rows: Value[];
  try {
    const prepared = prepare(compiled.plan);
    rows = (await prepared.evaluate("eval", { input, data }, { strict })).results;
  } catch (e) {
    if (!(e instanceof RegoError)) return { ...base, outcome: "failed", detail: `crash: ${(e as Error)?.stack ?? e}` };
    if (Array.isArray(want) && wantCode === undefined)
      return { ...base, outcome: "failed", detail: `unexpected error: ${e.code}: ${e.message}` };
    if (wantCode !== undefined && e.code !== wantCode)
      return { ...base, outcome: "failed", detail: `error code ${e.code} (${e.message}), want ${String(wantCode)}` };
    if (typeof wantError === "string" && !opaErrorText(e).includes(wantError))
      return { ...base, outcome: "failed", detail: `error ${JSON.stringify(e.message)}, want ${JSON.stringify(wantError)}` };
    return { ...base, outcome: "passed" };
  }
  if (!Array.isArray(want))
    return { ...base, outcome: "failed", detail: `no error, want ${String(wantCode ?? "")} ${String(wantError ?? "")}; got ${show(rows)}` };
  if (!sameRows(rows, want, sort)) return { ...base, outcome: "failed", detail: `results differ:\n  got  ${show(rows)}\n  want ${show(want)}` };
  return { ...base, outcome: "passed" };
}

function show(rows: Value[]): string {
  const s = toJSONText(rows);
  return s.length > 600 ? s.slice(0, 600) + "…" : s;
}

/** OPA's text of an evaluation error: `file:row: code: message`. */
export function opaErrorText(e: RegoError): string {
  const loc = e.location ? `${e.location.file}:${e.location.row}: ` : "";
  return `${loc}${e.code}: ${e.message}`;
}
