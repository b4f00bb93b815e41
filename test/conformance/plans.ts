/**
 * Runs OPA's plan conformance cases through our IR evaluator: for each case
 * its plan, entrypoints, data and input, compared with `want_plan_result`
 * (OPA's own answer) or the expected error.
 */
import { FORBIDDEN_BUILTINS, RObject, RegoError, prepare, toJSONText, type Value } from "../../workers/rego/index.js";
import { sameRows } from "./compare.js";
import { opaErrorText, termInput } from "./regocases.js";
import type { CaseRecord } from "./cases.js";

export type Outcome = "passed" | "failed" | "skipped";

export interface CaseResult {
  id: string;
  topic: string;
  note: string;
  outcome: Outcome;
  detail?: string;
}

export async function runPlanCase(c: CaseRecord): Promise<CaseResult> {
  const base = { id: c.id, topic: c.topic, note: c.note };
  const f = c.fields;
  const plan = c.raw.plan as { static?: { builtin_funcs?: { name: string }[] } } | undefined;
  const forbidden = (plan?.static?.builtin_funcs ?? []).map((b) => b.name).find((n) => FORBIDDEN_BUILTINS.has(n));
  if (forbidden) return { ...base, outcome: "skipped", detail: `uses ${forbidden}, rejected by design` };

  let input: Value | undefined = f.getString("input");
  const inputTerm = f.getString("input_term");
  if (typeof inputTerm === "string") {
    try {
      input = termInput(inputTerm);
    } catch (e) {
      return { ...base, outcome: "failed", detail: (e as Error).message };
    }
  }
  const data = f.getString("data") ?? new RObject();
  const strict = f.getString("strict_error") === true;
  const want = f.getString("want_plan_result");
  const wantCode = f.getString("want_error_code");
  const wantError = f.getString("want_error");
  const sort = f.getString("sort_bindings") === true;
  const entrypoints = (c.raw.entrypoints as string[] | undefined) ?? ["eval"];

  let rows: Value[] = [];
  try {
    const prepared = prepare(c.raw.plan);
    for (const e of entrypoints) {
      const r = await prepared.evaluate(e, { input, data }, { strict, nowNs: BigInt(Date.now()) * 1_000_000n });
      rows = rows.concat(r.results);
    }
  } catch (e) {
    if (!(e instanceof RegoError)) return { ...base, outcome: "failed", detail: `crash: ${(e as Error)?.stack ?? e}` };
    // One case expects both rows (OPA's plan evaluator) and, in strict mode, an error (topdown): either answer is OPA's.
    if (Array.isArray(want) && wantCode === undefined)
      return { ...base, outcome: "failed", detail: `unexpected error: ${e.code}: ${e.message}` };
    if (wantCode !== undefined && e.code !== wantCode)
      return { ...base, outcome: "failed", detail: `error code ${e.code} (${e.message}), want ${String(wantCode)}` };
    // The plans name module i `module-i.rego`; OPA's messages name it `test-i.rego`.
    const text = opaErrorText(e).replace(/^module-(\d+)\.rego:/, "test-$1.rego:");
    if (typeof wantError === "string" && !text.includes(wantError))
      return { ...base, outcome: "failed", detail: `error message ${JSON.stringify(e.message)}, want ${JSON.stringify(wantError)}` };
    return { ...base, outcome: "passed" };
  }
  if (!Array.isArray(want)) {
    return { ...base, outcome: "failed", detail: `no error, want ${String(wantCode ?? "")} ${String(wantError ?? "")}; got ${rows.length} rows` };
  }
  if (!sameRows(rows, want, sort))
    return { ...base, outcome: "failed", detail: `results differ:\n  got  ${show(rows)}\n  want ${show(want)}` };
  return { ...base, outcome: "passed" };
}

function show(rows: Value[]): string {
  const s = toJSONText(rows);
  return s.length > 600 ? s.slice(0, 600) + "…" : s;
}
