/**
 * `caracal eval`: a query against local modules and data, with OPA's result
 * shape (expressions with value, text and location; bindings), printed in
 * `opa eval`'s formats by opa-output.ts.
 *
 * As OPA does, each expression other than `=`/`:=` is rewritten to capture its
 * value (`_caracal_expr0 = (data.payments.allow)`), so a query's value is
 * shown even when it is false; with several expressions the captured values
 * must also hold, as they would in the original query.
 */
import {
  compile,
  type EvalOptions,
  fromJS,
  prepare,
  RegoError,
  toJS,
  type JSONValue,
  type RegoErrorInfo,
  type SourceModule,
} from "../../workers/rego/index.js";
import { parseQuery } from "../../workers/rego/syntax/index.js";
import type { Expr, Term } from "../../workers/rego/syntax/ast.js";
import type { EvalResult, Sources } from "./opa-output.js";

export interface EvalRequest {
  modules: SourceModule[];
  data: Record<string, unknown>;
  input?: unknown;
  query: string;
  regoVersion: 0 | 1;
  /** receives each line `print(...)` writes (`opa eval` writes them to stderr) */
  print?: (line: string) => void;
}

/** The engine's print hook in evaluate options (OPA's print hook), typed here as test-runner.ts types it. */
type PrintingOptions = EvalOptions & { print?: (line: string) => void };

/** The results (none when the query is undefined), or the errors with the sources they point into. */
export type EvalOutcome = { ok: true; results: EvalResult[] } | { ok: false; errors: RegoErrorInfo[]; sources: Sources };

/** The query's module name inside the engine; OPA's query has no file, so errors show `row:col` (see withoutQueryFile). */
const QUERY_FILE = "<query>";
/** Not `__`-prefixed: the planner leaves such (generated) variables out of the result rows. */
const CAPTURE_PREFIX = "_caracal_expr";
/**
 * Unification and assignment bind variables, their value (true) is not worth capturing; print()
 * returns nothing a capture could hold (OPA leaves it uncaptured too).
 */
const NOT_CAPTURED = new Set(["eq", "assign", "print"]);

export async function evalQuery(req: EvalRequest): Promise<EvalOutcome> {
  const failed = (errors: RegoErrorInfo[]): EvalOutcome => ({ ok: false, errors: errors.map(withoutQueryFile), sources: sourcesOf(req) });
  const parsed = parseQuery(req.query, { regoVersion: req.regoVersion, file: QUERY_FILE });
  if (!parsed.body) return failed(parsed.errors);
  const body = parsed.body;
  const captures = body.map((expr) => (capturesValue(expr) ? `${CAPTURE_PREFIX}${expr.index}` : undefined));
  const compiled = compile({
    modules: req.modules,
    query: rewriteQuery(req.query, body, captures),
    options: { regoVersion: req.regoVersion },
  });
  if (!compiled.plan) return failed(compiled.errors);

  const prepared = prepare(compiled.plan);
  let results: Awaited<ReturnType<typeof prepared.evaluate>>["results"];
  try {
    const options: PrintingOptions = req.print ? { print: req.print } : {};
    ({ results } = await prepared.evaluate(
      "eval",
      {
        input: req.input === undefined ? undefined : fromJS(req.input),
        data: fromJS(req.data),
      },
      options,
    ));
  } catch (err) {
    if (err instanceof RegoError) return failed([{ code: err.code, message: err.message, location: err.location }]);
    throw err;
  }
  return {
    ok: true,
    results: results.map((row) => {
      const bindings = toJS(row) as Record<string, JSONValue>;
      const expressions = body.map((expr, i) => ({
        value: captures[i] ? (bindings[captures[i]] as JSONValue) : true,
        text: exprText(req.query, expr),
        location: { row: expr.loc.row, col: expr.loc.col },
      }));
      const userBindings = Object.fromEntries(Object.entries(bindings).filter(([name]) => !name.startsWith(CAPTURE_PREFIX)));
      return { expressions, bindings: userBindings };
    }),
  };
}

function capturesValue(expr: Expr): boolean {
  if (expr.negated) return false;
  const terms = expr.terms;
  if (Array.isArray(terms)) return !NOT_CAPTURED.has(operatorName(terms[0]));
  return terms.type !== "somedecl" && terms.type !== "every" && terms.type !== "logical";
}

function operatorName(term: Term | undefined): string {
  if (term?.type !== "ref") return "";
  return term.value.map((part) => String(part.value)).join(".");
}

/** The expression's own text, without its `with` modifiers. */
function termsRange(expr: Expr): [number, number] {
  const end = expr.with?.[0]?.loc.offset ?? expr.loc.offset + expr.loc.length;
  return [expr.loc.offset, end];
}

function exprText(query: string, expr: Expr): string {
  return query.slice(expr.loc.offset, expr.loc.offset + expr.loc.length);
}

/** Replaces captured expressions right to left, so earlier offsets stay valid. */
function rewriteQuery(query: string, body: Expr[], captures: (string | undefined)[]): string {
  let rewritten = query;
  for (let i = body.length - 1; i >= 0; i--) {
    const capture = captures[i];
    if (!capture) continue;
    const [start, end] = termsRange(body[i] as Expr);
    const terms = query.slice(start, end).trimEnd();
    rewritten = `${rewritten.slice(0, start)}${capture} = (${terms}) ${rewritten.slice(start + terms.length)}`;
  }
  const checks = body.length > 1 ? captures.filter((c): c is string => c !== undefined) : [];
  return checks.length > 0 ? `${rewritten}\n${checks.join("\n")}` : rewritten;
}

function withoutQueryFile(e: RegoErrorInfo): RegoErrorInfo {
  return e.location?.file === QUERY_FILE ? { ...e, location: { ...e.location, file: "" } } : e;
}

function sourcesOf(req: EvalRequest): Sources {
  const sources: Sources = new Map(req.modules.map((m) => [m.name, m.source]));
  sources.set("", req.query);
  return sources;
}
