/**
 * Runs OPA's Rego conformance cases end to end: our front end compiles the
 * modules and the query to a plan, our evaluator runs it, and the rows are
 * compared with `want_result` (or the error with `want_error_code`/`want_error`).
 */
import { FORBIDDEN_BUILTINS, compile, formatError, prepare, type Value } from "../../workers/rego/index.js";
import type { CaseRecord } from "./cases.js";
import { expectationOf, judge, type CaseResult, type Expectation } from "./judge.js";

export interface CaseOptions {
  regoVersion?: 0 | 1;
}

export async function runRegoCase(c: CaseRecord, options: CaseOptions = {}): Promise<CaseResult> {
  const base = { id: c.id, topic: c.topic, note: c.note };
  const modules = (c.fields.getString("modules") as Value[] | undefined) ?? [];
  const query = c.fields.getString("query");
  if (typeof query !== "string") return { ...base, outcome: "skipped", detail: "no query" };
  let want: Expectation;
  try {
    want = expectationOf(c, "want_result");
  } catch (e) {
    return { ...base, outcome: "failed", detail: (e as Error).message };
  }
  const compiled = compile({
    modules: modules.map((m, i) => ({ name: `test-${i}.rego`, source: String(m) })),
    query,
    options: { regoVersion: options.regoVersion ?? 1 },
  });
  if (!compiled.plan) {
    const forbidden = [...FORBIDDEN_BUILTINS.keys()].find((name) => compiled.errors.some((e) => e.message.startsWith(`${name}: `)));
    if (forbidden) return { ...base, outcome: "skipped", detail: `uses ${forbidden}, rejected by design` };
    if (want.code !== undefined && compiled.errors.some((e) => e.code === want.code)) return { ...base, outcome: "passed" };
    return { ...base, outcome: "failed", detail: `compile: ${compiled.errors.map(formatError).join("; ")}` };
  }
  const plan = compiled.plan;
  return judge(
    c,
    want,
    async () => (await prepare(plan).evaluate("eval", { input: want.input, data: want.data }, { strict: want.strict })).results,
  );
}
