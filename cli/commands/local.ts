/**
 * Authoring without a server: `caracal eval` and `caracal test`, on the same
 * engine the STS runs, with `opa eval` / `opa test`'s flags and output. The
 * engine is imported when one of them runs, so the API commands start quickly.
 */
import { type Command, Option } from "commander";
import { CliError, EXIT_FAILURE, failure, usageError } from "../errors.js";
import type { EvalFormat } from "../local/opa-output.js";
import { regoVersionOf, v0CompatibleOption } from "./shared.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface EvalOptions {
  data: string[];
  bundle: string[];
  input?: string;
  stdinInput?: boolean;
  format: EvalFormat;
  fail?: boolean;
  failDefined?: boolean;
  v0Compatible?: boolean;
}

interface TestOptions {
  bundle: string[];
  verbose?: boolean;
  format: "pretty" | "json";
  run?: string;
  v0Compatible?: boolean;
}

export function registerLocalCommands(program: Command): void {
  program
    .command("eval <query>")
    .description("Evaluate a Rego query against local policy and data files (output as `opa eval` prints it)")
    .option("-d, --data <path>", "a .rego, .json or .yaml file, or a directory of them (repeatable)", collect, [])
    .option("-b, --bundle <path>", "a bundle: a folder in OPA's bundle layout or a .tar.gz (repeatable)", collect, [])
    .option("-i, --input <file>", "input document (.json or .yaml); - reads it from standard input")
    .option("-I, --stdin-input", "read the input document from standard input")
    .addOption(
      new Option("-f, --format <format>", "output format (as opa eval's)")
        .choices(["json", "raw", "pretty", "values", "bindings"])
        .default("json"),
    )
    .option("--fail", "exit 1 if the query is undefined")
    .option("--fail-defined", "exit 1 if the query is defined")
    .addOption(v0CompatibleOption())
    .action(async (query: string, opts: EvalOptions) => {
      if (opts.stdinInput && opts.input !== undefined) throw usageError("--stdin-input and --input both give the input document: pass one");
      if (opts.fail && opts.failDefined) throw usageError("--fail and --fail-defined exclude each other");
      const [{ evalQuery }, { formatEvalErrors, formatEvalResults }, { loadPaths, readDocument, parseInputText }, { loadBundles }] =
        await Promise.all([
          import("../local/eval.js"),
          import("../local/opa-output.js"),
          import("../local/files.js"),
          import("../local/bundle.js"),
        ]);
      const files = await loadBundles(opts.bundle, await loadPaths(opts.data));
      const input =
        opts.stdinInput || opts.input === "-"
          ? parseInputText("stdin", await readStdin())
          : opts.input === undefined
            ? undefined
            : await readDocument(opts.input);
      const print = (line: string) => void process.stderr.write(`${line}\n`);
      const outcome = await evalQuery({ ...files, input, query, regoVersion: regoVersionOf(opts), print });
      const printed = outcome.ok
        ? formatEvalResults(outcome.results, opts.format)
        : formatEvalErrors(outcome.errors, outcome.sources, opts.format);
      process.stdout.write(printed.stdout);
      process.stderr.write(printed.stderr);
      const defined = outcome.ok && outcome.results.length > 0;
      if (!outcome.ok || (opts.fail && !defined) || (opts.failDefined && defined)) process.exitCode = EXIT_FAILURE;
    });

  program
    .command("test [paths...]")
    .description("Run the test_* rules of *_test.rego files (as `opa test`); exits 1 if any test fails")
    .option("-v, --verbose", "show every test (not only those that did not pass) and what each printed")
    .addOption(new Option("-f, --format <format>", "report format (as opa test's)").choices(["pretty", "json"]).default("pretty"))
    .option("-b, --bundle <path>", "a bundle (folder or .tar.gz) loaded as OPA loads a bundle (repeatable)", collect, [])
    .option("-r, --run <regex>", "run only the tests whose full name (data.pkg.test_name) matches this regular expression (RE2)")
    .addOption(v0CompatibleOption())
    .action(async (paths: string[], opts: TestOptions) => {
      if (paths.length === 0 && opts.bundle.length === 0) throw usageError("give the paths to test, or --bundle");
      const [{ checkRunFilter, runTests }, { loadPaths }, { errorsString }, { jsonReport, prettyReport }, { loadBundles }] =
        await Promise.all([
          import("../local/test-runner.js"),
          import("../local/files.js"),
          import("../local/opa-output.js"),
          import("../local/test-report.js"),
          import("../local/bundle.js"),
        ]);
      if (opts.run !== undefined) {
        const invalid = checkRunFilter(opts.run);
        if (invalid) throw usageError(`--run is not a regular expression: ${invalid}`);
      }
      const files = await loadBundles(opts.bundle, await loadPaths(paths));
      const sources = new Map(files.modules.map((m) => [m.name, m.source]));
      const run = await runTests(files, { regoVersion: regoVersionOf(opts), run: opts.run });
      if (!run.ok) throw new CliError(errorsString(run.errors, sources), EXIT_FAILURE, { bare: true });
      if (run.results.length === 0) {
        throw failure(opts.run === undefined ? "no test_* rules found in *_test.rego files" : `no test matches --run ${opts.run}`);
      }
      process.stdout.write(opts.format === "json" ? jsonReport(run.results) : prettyReport(run.results, opts.verbose ?? false, sources));
      if (run.results.some((r) => r.outcome === "FAIL" || r.outcome === "ERROR")) process.exitCode = EXIT_FAILURE;
    });
}

async function readStdin(): Promise<string> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  } catch (err) {
    throw failure(`cannot read the input document from standard input: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
