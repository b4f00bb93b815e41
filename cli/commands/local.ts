/**
 * Authoring without a server: `caracal eval` and `caracal test`, on the same
 * engine the STS runs. The engine is imported when one of them runs, so the
 * API commands start quickly.
 */
import type { Command } from "commander";
import { formatError } from "../../workers/rego/errors.js";
import { failure, usageError } from "../errors.js";
import { loadPaths, readDocument } from "../local/files.js";
import type { TestOutcome, TestResult } from "../local/test-runner.js";
import { regoVersionOf, v0CompatibleOption } from "./shared.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerLocalCommands(program: Command): void {
  program
    .command("eval <query>")
    .description("Evaluate a Rego query against local policy and data files (prints JSON like `opa eval`)")
    .option("-d, --data <path>", "a .rego, .json or .yaml file, or a directory of them (repeatable)", collect, [])
    .option("-b, --bundle <path>", "a bundle: a folder in OPA's bundle layout or a .tar.gz (repeatable)", collect, [])
    .option("-i, --input <file>", "input document (.json or .yaml)")
    .addOption(v0CompatibleOption())
    .action(async (query: string, opts: { data: string[]; bundle: string[]; input?: string; v0Compatible?: boolean }) => {
      const [{ evalQuery }, { stringifyJS }, { loadBundles }] = await Promise.all([
        import("../local/eval.js"),
        import("../../workers/rego/index.js"),
        import("../local/bundle.js"),
      ]);
      const files = await loadBundles(opts.bundle, await loadPaths(opts.data));
      const input = opts.input === undefined ? undefined : await readDocument(opts.input);
      const output = await evalQuery({ ...files, input, query, regoVersion: regoVersionOf(opts) });
      process.stdout.write(stringifyJS(output as Parameters<typeof stringifyJS>[0], 2) + "\n");
    });

  program
    .command("test [paths...]")
    .description("Run the test_* rules of *_test.rego files (like `opa test`); exits 1 if any test fails")
    .option(
      "-b, --bundle <path>",
      "a bundle (folder or .tar.gz) whose modules and data are loaded as OPA loads a bundle (repeatable)",
      collect,
      [],
    )
    .addOption(v0CompatibleOption())
    .action(async (paths: string[], opts: { bundle: string[]; v0Compatible?: boolean }) => {
      const [{ runTests }, { loadBundles }] = await Promise.all([import("../local/test-runner.js"), import("../local/bundle.js")]);
      if (paths.length === 0 && opts.bundle.length === 0) throw usageError("give the paths to test, or --bundle");
      const run = await runTests(await loadBundles(opts.bundle, await loadPaths(paths)), regoVersionOf(opts));
      if (!run.ok) throw failure(run.errors.map(formatError).join("\n"));
      if (run.results.length === 0) throw failure("no test_* rules found in *_test.rego files");
      printTestReport(run.results);
      if (run.results.some((r) => r.outcome === "FAIL" || r.outcome === "ERROR")) process.exitCode = 1;
    });
}

function printTestReport(results: TestResult[]): void {
  const out = (line: string) => process.stdout.write(line + "\n");
  let file: string | undefined;
  for (const r of results) {
    if (r.file !== file) {
      if (file !== undefined) out("");
      file = r.file;
      out(`${file}:`);
    }
    out(`${r.name}: ${r.outcome}${r.outcome === "SKIPPED" ? "" : ` (${r.durationMs.toFixed(1)}ms)`}`);
    if (r.message) out(`  ${r.message}`);
  }
  out("-".repeat(80));
  const outcomes: TestOutcome[] = ["PASS", "FAIL", "ERROR", "SKIPPED"];
  for (const outcome of outcomes) {
    const count = results.filter((r) => r.outcome === outcome).length;
    if (count > 0 || outcome === "PASS") out(`${outcome}: ${count}/${results.length}`);
  }
}
