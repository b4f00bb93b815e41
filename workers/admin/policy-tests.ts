/**
 * The set-version test gate (`run_tests: true` on a set-version create): the
 * `*_test.rego` modules of each member version's bundle run with that bundle's
 * data, as `opa test` runs them (workers/policy/tests.ts, the runner `caracal
 * test` uses). Any test that fails or errors refuses the set version with 422
 * listing those tests; nothing is written. Wasm versions carry no Rego to test
 * (the `.rego` files of an `opa build -t wasm` bundle are not what runs) and are
 * skipped.
 *
 * The work is bounded: each test has the engine's default step budget, and a
 * set version runs at most MAX_GATE_TESTS tests over all its members; more is
 * refused (422 `policy_test_limit`) before any test runs.
 */
import { eq, inArray, and } from "drizzle-orm";
import { policies, policyVersions } from "../../schema/index.js";
import { readBlobs } from "../bundle/blobs.js";
import type { Db } from "../db.js";
import { Problem, type ProblemItem } from "../http/problem.js";
import { isTestFile, runTests, TestLimitExceeded, type TestResult } from "../policy/tests.js";
import { DEFAULT_STEP_BUDGET, formatError, fromJS, parseJSON, type Value } from "../rego/index.js";
import { versionFiles } from "./policy-versions.js";

/** Most tests one set version's gate runs, over all member versions. */
export const MAX_GATE_TESTS = 200;
/** Engine steps each test may take (the engine's per-evaluation default). */
export const GATE_TEST_BUDGET = DEFAULT_STEP_BUDGET;

export interface GateSummary {
  passed: number;
  skipped: number;
  /** member versions that had tests */
  versions_tested: number;
}

/** Runs the members' tests; returns the counts, or throws a 422 naming every failing or erroring test. */
export async function runSetVersionTests(db: Db, zoneId: string, versionIds: string[]): Promise<GateSummary> {
  const rows = await db
    .select({
      id: policyVersions.id,
      zoneId: policyVersions.zoneId,
      engine: policyVersions.engine,
      regoVersion: policyVersions.regoVersion,
      source: policyVersions.source,
      sourceSha256: policyVersions.sourceSha256,
      filesBlob: policyVersions.filesBlob,
      dataBlob: policyVersions.dataBlob,
      policyName: policies.name,
    })
    .from(policyVersions)
    .innerJoin(policies, eq(policies.id, policyVersions.policyId))
    .where(and(inArray(policyVersions.id, versionIds), eq(policyVersions.zoneId, zoneId)));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const failures: ProblemItem[] = [];
  const summary: GateSummary = { passed: 0, skipped: 0, versions_tested: 0 };
  let remaining = MAX_GATE_TESTS;
  for (const id of versionIds) {
    const row = byId.get(id);
    if (row?.engine !== "rego") continue;
    const files = await versionFiles(db, row, row.policyName);
    const modules = files.filter((f) => f.path.endsWith(".rego")).map((f) => ({ name: f.path, source: f.content }));
    if (!modules.some((m) => isTestFile(m.name))) continue;
    const data: Value =
      row.dataBlob === null ? fromJS({}) : parseJSON((await readBlobs(db, zoneId, [row.dataBlob])).get(row.dataBlob) as string);
    const where = `policy ${row.policyName}, version ${row.id}`;
    let run: Awaited<ReturnType<typeof runTests>>;
    try {
      run = await runTests(
        { modules, data },
        { regoVersion: row.regoVersion === 0 ? 0 : 1, budget: GATE_TEST_BUDGET, maxTests: remaining },
      );
    } catch (err) {
      if (!(err instanceof TestLimitExceeded)) throw err;
      throw new Problem(
        422,
        "policy-test-limit",
        "Unprocessable Content",
        `the set version's bundles have more than ${MAX_GATE_TESTS} tests; nothing was run or written`,
        [
          {
            code: "policy_test_limit",
            message: `${where}: ${err.message} (${remaining} left of ${MAX_GATE_TESTS})`,
            policy_version_id: row.id,
          },
        ],
      );
    }
    summary.versions_tested++;
    if (!run.ok) {
      // The bundle compiled as a version, but its tests as entrypoints did not: report why, as a failure.
      for (const e of run.errors)
        failures.push({
          code: "policy_test_failed",
          message: `${where}: ${formatError(e)}`,
          ...(e.location ? { location: e.location } : {}),
          policy_version_id: row.id,
        });
      continue;
    }
    for (const r of run.results) {
      if (r.outcome === "PASS") summary.passed++;
      else if (r.outcome === "SKIPPED") summary.skipped++;
      else failures.push(failureItem(r, where, row.id));
    }
    remaining -= run.results.filter((r) => r.outcome !== "SKIPPED").length;
  }
  if (failures.length > 0)
    throw new Problem(
      422,
      "policy-test-failed",
      "Unprocessable Content",
      `${failures.length} test${failures.length === 1 ? "" : "s"} of the set's policy versions did not pass; the set version was not created`,
      failures,
    );
  return summary;
}

function failureItem(r: TestResult, where: string, versionId: string): ProblemItem {
  const why = r.outcome === "ERROR" && r.error ? `ERROR: ${formatError(r.error)}` : "FAIL";
  const printed = r.output.length > 0 ? ` (printed: ${r.output.join(" | ")})` : "";
  return {
    code: "policy_test_failed",
    message: `${r.name}: ${why} — ${where}${printed}`,
    location: r.location,
    policy_version_id: versionId,
  };
}
