/**
 * `caracal test`: the files `caracal test` loads, run by the engine-only test
 * runner the admin API's set-version gate uses too (workers/policy/tests.ts),
 * so `caracal test` and `run_tests` agree on every test.
 */
import { fromJS } from "../../workers/rego/index.js";
import { type TestOptions, type TestRun, runTests as runEngineTests } from "../../workers/policy/tests.js";
import type { LoadedFiles } from "./files.js";

export { checkRunFilter, type TestOptions, type TestOutcome, type TestResult, type TestRun } from "../../workers/policy/tests.js";

export function runTests(files: LoadedFiles, opts: TestOptions): Promise<TestRun> {
  return runEngineTests({ modules: files.modules, data: fromJS(files.data) }, { clockNs: () => Number(process.hrtime.bigint()), ...opts });
}
