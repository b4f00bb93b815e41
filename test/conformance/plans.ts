/**
 * Runs OPA's plan conformance cases through our IR evaluator: for each case
 * its plan, entrypoints, data and input, compared with `want_plan_result`
 * (OPA's own answer) or the expected error.
 */
import { FORBIDDEN_BUILTINS, prepare, type Value } from "../../workers/rego/index.js";
import type { CaseRecord } from "./cases.js";
import { expectationOf, judge, opaErrorText, type CaseResult, type Expectation } from "./judge.js";

export type { CaseResult, Outcome } from "./judge.js";

export async function runPlanCase(c: CaseRecord): Promise<CaseResult> {
  const base = { id: c.id, topic: c.topic, note: c.note };
  const plan = c.raw.plan as { static?: { builtin_funcs?: { name: string }[] } } | undefined;
  const forbidden = (plan?.static?.builtin_funcs ?? []).map((b) => b.name).find((n) => FORBIDDEN_BUILTINS.has(n));
  if (forbidden) return { ...base, outcome: "skipped", detail: `uses ${forbidden}, rejected by design` };
  let want: Expectation;
  try {
    want = expectationOf(c, "want_plan_result");
  } catch (e) {
    return { ...base, outcome: "failed", detail: (e as Error).message };
  }
  const entrypoints = (c.raw.entrypoints as string[] | undefined) ?? ["eval"];
  return judge(
    c,
    want,
    async () => {
      // As the STS does: from the plan's JSON text (checked in place, functions lowered on first call).
      const prepared = prepare(JSON.stringify(c.raw.plan));
      let rows: Value[] = [];
      for (const e of entrypoints)
        rows = rows.concat((await prepared.evaluate(e, { input: want.input, data: want.data }, { strict: want.strict })).results);
      return rows;
    },
    // The plans name module i `module-i.rego`; OPA's messages name it `test-i.rego`.
    (e) => opaErrorText(e).replace(/^module-(\d+)\.rego:/, "test-$1.rego:"),
  );
}
