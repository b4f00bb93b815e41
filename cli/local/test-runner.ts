/**
 * `caracal test`: runs the `test_*` rules of `*_test.rego` modules, like
 * `opa test`. All loaded modules are compiled together with every test rule
 * as an entrypoint; a test passes when its rule evaluates to true.
 * `todo_test_*` rules are reported as skipped.
 */
import {
  compileParsed,
  formatError,
  fromJS,
  parseSources,
  prepare,
  RegoError,
  toJS,
  type ParsedSources,
  type RegoErrorInfo,
} from "../../workers/rego/index.js";
import type { LoadedFiles } from "./files.js";

export type TestOutcome = "PASS" | "FAIL" | "ERROR" | "SKIPPED";

export interface TestResult {
  file: string;
  /** `data.payments.test_allow` */
  name: string;
  outcome: TestOutcome;
  durationMs: number;
  /** why a test errored */
  message?: string;
}

export type TestRun = { ok: true; results: TestResult[] } | { ok: false; errors: RegoErrorInfo[] };

interface TestRule {
  file: string;
  name: string;
  skipped: boolean;
}

const TEST_FILE = /_test\.rego$/;

export async function runTests(files: LoadedFiles, regoVersion: 0 | 1): Promise<TestRun> {
  const options = { regoVersion };
  const parsed = parseSources(files.modules, options);
  if (parsed.errors.length > 0) return { ok: false, errors: parsed.errors };
  const tests = discoverTests(parsed);
  const runnable = tests.filter((t) => !t.skipped);
  const compiled = compileParsed(parsed, { entrypoints: runnable.map((t) => t.name), options });
  if (!compiled.plan) return { ok: false, errors: compiled.errors };

  const prepared = prepare(compiled.plan);
  const data = fromJS(files.data);
  const results: TestResult[] = [];
  for (const test of tests) {
    if (test.skipped) {
      results.push({ file: test.file, name: test.name, outcome: "SKIPPED", durationMs: 0 });
      continue;
    }
    const started = performance.now();
    try {
      const { results: rows } = await prepared.evaluate(compiled.entrypoints[runnable.indexOf(test)] as string, { data });
      const value = rows[0] ? (toJS(rows[0]) as { result?: unknown }).result : undefined;
      results.push({
        file: test.file,
        name: test.name,
        outcome: value === true ? "PASS" : "FAIL",
        durationMs: performance.now() - started,
      });
    } catch (err) {
      if (!(err instanceof RegoError)) throw err;
      results.push({
        file: test.file,
        name: test.name,
        outcome: "ERROR",
        durationMs: performance.now() - started,
        message: formatError(err),
      });
    }
  }
  return { ok: true, results };
}

function discoverTests(parsed: ParsedSources): TestRule[] {
  const tests: TestRule[] = [];
  for (const module of parsed.modules.filter((m) => TEST_FILE.test(m.file))) {
    const pkg = parsed.packages.get(module.file);
    const seen = new Set<string>();
    for (const rule of module.rules) {
      const head = rule.head.ref;
      const name = head.length === 1 && head[0]?.type === "var" ? head[0].value : undefined;
      if (!name || rule.head.args || seen.has(name)) continue;
      const skipped = name.startsWith("todo_test_");
      if (!skipped && !name.startsWith("test_")) continue;
      seen.add(name);
      tests.push({ file: module.file, name: `data.${pkg}.${name}`, skipped });
    }
  }
  return tests;
}
