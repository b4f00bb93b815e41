/**
 * OPA's conformance suites as tests: every case passes except those listed,
 * with a reason, in the known-failures files — so the pass count cannot fall
 * below that baseline without a test failing. Runs the same code as
 * `npm run conformance` and `npm run conformance:plans`.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadCases, loadKnownFailures, type CaseRecord } from "./cases.js";
import type { CaseResult } from "./judge.js";
import { runPlanCase } from "./plans.js";
import { runRegoCase } from "./regocases.js";
import { VENDORED_SUITES } from "./suite-dir.js";

async function suite(dir: string, known: string, run: (c: CaseRecord) => Promise<CaseResult>) {
  const list = loadKnownFailures(fileURLToPath(new URL(known, import.meta.url)));
  const results: CaseResult[] = [];
  for (const c of loadCases(dir)) results.push(await run(c));
  const unexpected = results.filter((r) => r.outcome !== "passed" && !list.has(r.id)).map((r) => `${r.id}: ${r.detail}`);
  const passed = results.filter((r) => r.outcome === "passed").length;
  return { unexpected, passed, baseline: results.length - list.size };
}

describe("OPA conformance", () => {
  it("IR plans evaluate as OPA evaluates them", async () => {
    const r = await suite(`${VENDORED_SUITES}opa-plans/v1`, "./known-failures-plans.json", runPlanCase);
    expect(r.unexpected).toEqual([]);
    expect(r.passed).toBeGreaterThanOrEqual(r.baseline);
  });

  it("Rego cases compile and evaluate end to end", async () => {
    const r = await suite(`${VENDORED_SUITES}opa-cases/v1`, "./known-failures-cases.json", (c) => runRegoCase(c));
    expect(r.unexpected).toEqual([]);
    expect(r.passed).toBeGreaterThanOrEqual(r.baseline);
  });
});
