/**
 * `caracal test`: runs the `test_*` rules of `*_test.rego` modules, like
 * `opa test`. All loaded modules are compiled together with every test rule
 * as an entrypoint; a test passes when its rule evaluates to true.
 * `todo_test_*` rules are reported as skipped. `--run` selects tests by a
 * regular expression (RE2, as Go's regexp) over the test's full name
 * (`data.payments.test_allow`). What a test prints with `print()` is kept
 * with its result, as `opa test` keeps it.
 */
import { RE2JS } from "re2js";
import {
  compileParsed,
  type EvalOptions,
  fromJS,
  type ParsedSources,
  parseSources,
  prepare,
  RegoError,
  type RegoErrorInfo,
  toJS,
} from "../../workers/rego/index.js";
import type { LoadedFiles } from "./files.js";

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

export interface TestOptions {
  regoVersion: 0 | 1;
  /** only tests whose full name this RE2 expression matches (Go's regexp.MatchString: anywhere in the name) */
  run?: string;
}

/**
 * The engine's print hook: evaluate options take `print(line)`, called for each
 * line `print(...)` writes (OPA's print hook). Typed here so the CLI reads the
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

/** Checks `--run` before anything runs; the RE2 syntax error's message when it is not an expression. */
export function checkRunFilter(expression: string): string | undefined {
  try {
    RE2JS.compile(expression);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export async function runTests(files: LoadedFiles, opts: TestOptions): Promise<TestRun> {
  const options = { regoVersion: opts.regoVersion };
  const parsed = parseSources(files.modules, options);
  if (parsed.errors.length > 0) return { ok: false, errors: parsed.errors };
  const filter = opts.run === undefined ? undefined : RE2JS.compile(opts.run);
  const tests = discoverTests(parsed).filter((t) => !filter || filter.matcher(`${t.package}.${t.rule}`).find());
  const runnable = tests.filter((t) => !t.skipped);
  const compiled = compileParsed(parsed, { entrypoints: runnable.map((t) => `${t.package}.${t.rule}`), options });
  if (!compiled.plan) return { ok: false, errors: compiled.errors };

  const prepared = prepare(compiled.plan);
  const data = fromJS(files.data);
  const results: TestResult[] = [];
  for (const test of tests) {
    const base = { file: test.file, package: test.package, rule: test.rule, name: `${test.package}.${test.rule}`, location: test.location };
    if (test.skipped) {
      results.push({ ...base, outcome: "SKIPPED", durationNs: 0, output: [] });
      continue;
    }
    const output: string[] = [];
    const evalOptions: PrintingOptions = { print: (line) => void output.push(line) };
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started);
    try {
      const entrypoint = compiled.entrypoints[runnable.indexOf(test)] as string;
      const { results: rows } = await prepared.evaluate(entrypoint, { data }, evalOptions);
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
  for (const module of parsed.modules.filter((m) => TEST_FILE.test(m.file))) {
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
