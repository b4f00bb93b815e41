/**
 * Running a bundle's tests as `opa test` runs them: the `test_*` rules of
 * `*_test.rego` modules, compiled together with every other module and each
 * test rule as an entrypoint; a test passes when its rule evaluates to true.
 * `todo_test_*` rules are reported as skipped. `run` selects tests by a
 * regular expression (RE2, as Go's regexp) over the test's full name
 * (`data.payments.test_allow`). What a test prints with `print()` is kept
 * with its result, as `opa test` keeps it.
 *
 * Engine-only (no Node, no Worker APIs): `caracal test` (cli/local/test-runner.ts)
 * and the set-version gate in the admin API (workers/admin/policy-tests.ts) both
 * run tests through here, so a test that passes locally passes at the gate.
 */
import { RE2JS } from "re2js";
import {
  compileParsed,
  type EvalOptions,
  type ParsedSources,
  parseSources,
  prepare,
  RegoError,
  type RegoErrorInfo,
  type SourceModule,
  toJS,
  type Value,
} from "../rego/index.js";

export type TestOutcome = "PASS" | "FAIL" | "ERROR" | "SKIPPED";

export interface TestResult {
  file: string;
  /** `data.payments` */
  package: string;
  /** `test_allow` */
  rule: string;
  /** `data.payments.test_allow` */
  name: string;
  /** the test rule's location */
  location: { file: string; row: number; col: number };
  outcome: TestOutcome;
  durationNs: number;
  /** why a test errored */
  error?: RegoErrorInfo;
  /** what the test printed with print(), one entry a line */
  output: string[];
}

export type TestRun = { ok: true; results: TestResult[] } | { ok: false; errors: RegoErrorInfo[] };

export interface TestSources {
  modules: SourceModule[];
  /** the bundle's data, as the tests see it */
  data: Value;
}

export interface TestOptions {
  regoVersion: 0 | 1;
  /** only tests whose full name this RE2 expression matches (Go's regexp.MatchString: anywhere in the name) */
  run?: string | undefined;
  /** the engine's step budget for each test (default: the engine's default budget) */
  budget?: number | undefined;
  /**
   * Most tests that may run; more throws TestLimitExceeded before anything runs,
   * so the work of one run is bounded by `maxTests × budget`. Unbounded when absent (the CLI).
   */
  maxTests?: number | undefined;
  /** monotonic clock in nanoseconds for durations (default: performance.now()) */
  clockNs?: (() => number) | undefined;
}

/**
 * The engine's print hook: evaluate options take `print(line)`, called for each
 * line `print(...)` writes (OPA's print hook). Typed here so the runner reads the
 * hook's lines whichever engine version it is built with.
 */
type PrintingOptions = EvalOptions & { print?: (line: string) => void };

interface TestRule {
  file: string;
  package: string;
  rule: string;
  location: { file: string; row: number; col: number };
  skipped: boolean;
}

const TEST_FILE = /_test\.rego$/;

/** Whether a module is a test module (`*_test.rego`), as `opa test` decides. */
export function isTestFile(path: string): boolean {
  return TEST_FILE.test(path);
}

/** Checks `run` before anything runs; the RE2 syntax error's message when it is not an expression. */
export function checkRunFilter(expression: string): string | undefined {
  try {
    RE2JS.compile(expression);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** More tests than `maxTests` allows: nothing ran. */
export class TestLimitExceeded extends Error {
  constructor(
    readonly tests: number,
    readonly limit: number,
  ) {
    super(`${tests} tests exceed the limit of ${limit} tests per run`);
    this.name = "TestLimitExceeded";
  }
}

const defaultClockNs = () => Math.round(performance.now() * 1e6);

export async function runTests(sources: TestSources, opts: TestOptions): Promise<TestRun> {
  const options = { regoVersion: opts.regoVersion };
  const parsed = parseSources(sources.modules, options);
  if (parsed.errors.length > 0) return { ok: false, errors: parsed.errors };
  const filter = opts.run === undefined ? undefined : RE2JS.compile(opts.run);
  const tests = discoverTests(parsed).filter((t) => !filter || filter.matcher(`${t.package}.${t.rule}`).find());
  const runnable = tests.filter((t) => !t.skipped);
  if (opts.maxTests !== undefined && runnable.length > opts.maxTests) throw new TestLimitExceeded(runnable.length, opts.maxTests);
  const compiled = compileParsed(parsed, { entrypoints: runnable.map((t) => `${t.package}.${t.rule}`), options });
  if (!compiled.plan) return { ok: false, errors: compiled.errors };

  const prepared = prepare(compiled.plan);
  const clock = opts.clockNs ?? defaultClockNs;
  const results: TestResult[] = [];
  for (const test of tests) {
    const base = { file: test.file, package: test.package, rule: test.rule, name: `${test.package}.${test.rule}`, location: test.location };
    if (test.skipped) {
      results.push({ ...base, outcome: "SKIPPED", durationNs: 0, output: [] });
      continue;
    }
    const output: string[] = [];
    const evalOptions: PrintingOptions = {
      print: (line) => void output.push(line),
      ...(opts.budget !== undefined ? { budget: opts.budget } : {}),
    };
    const started = clock();
    const elapsed = () => Math.max(0, clock() - started);
    try {
      const entrypoint = compiled.entrypoints[runnable.indexOf(test)] as string;
      const { results: rows } = await prepared.evaluate(entrypoint, { data: sources.data }, evalOptions);
      const value = rows[0] ? (toJS(rows[0]) as { result?: unknown }).result : undefined;
      results.push({ ...base, outcome: value === true ? "PASS" : "FAIL", durationNs: elapsed(), output });
    } catch (err) {
      if (!(err instanceof RegoError)) throw err;
      results.push({ ...base, outcome: "ERROR", durationNs: elapsed(), error: err.toJSON(), output });
    }
  }
  return { ok: true, results };
}

function discoverTests(parsed: ParsedSources): TestRule[] {
  const tests: TestRule[] = [];
  for (const module of parsed.modules.filter((m) => isTestFile(m.file))) {
    const pkg = `data.${parsed.packages.get(module.file)}`;
    const seen = new Set<string>();
    for (const rule of module.rules) {
      const head = rule.head.ref;
      const name = head.length === 1 && head[0]?.type === "var" ? head[0].value : undefined;
      if (!name || rule.head.args || seen.has(name)) continue;
      const skipped = name.startsWith("todo_test_");
      if (!skipped && !name.startsWith("test_")) continue;
      seen.add(name);
      tests.push({
        file: module.file,
        package: pkg,
        rule: name,
        location: { file: module.file, row: rule.loc.row, col: rule.loc.col },
        skipped,
      });
    }
  }
  return tests;
}
