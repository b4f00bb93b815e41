/**
 * `caracal test` reports, as `opa test` writes them. Pretty: each test that did not pass (every
 * test with `-v`) under its `file:row:` line, what it printed indented below it, then a rule
 * and the PASS/FAIL/SKIPPED/ERROR counts. JSON (`--format json`): OPA's array of results
 * (`location`, `package`, `name`, `fail`, `error`, `skip`, `duration` in nanoseconds, `output`
 * base64-encoded as Go encodes bytes).
 *
 * OPA's verbose failure section also shows an evaluation trace; the engine records no trace,
 * so `-v` lists the failed tests there without one.
 */
import type { Sources } from "./opa-output.js";
import { errorString, GoStruct, goDocument, goDuration, locationStruct } from "./opa-output.js";
import type { TestResult } from "./test-runner.js";

const RULE = "-".repeat(80);

function resultLine(r: TestResult): string {
  const name = `${r.package}.${r.rule}`;
  return r.outcome === "SKIPPED" ? `${name}: SKIPPED` : `${name}: ${r.outcome} (${goDuration(r.durationNs)})`;
}

function indented(text: string, by = 2): string {
  return text.replace(/^/gm, " ".repeat(by));
}

export function prettyReport(results: TestResult[], verbose: boolean, sources: Sources = new Map()): string {
  const lines: string[] = [];
  const counts = { PASS: 0, FAIL: 0, SKIPPED: 0, ERROR: 0 };
  let dirty = false;
  let lastFile = "";
  for (const r of results) {
    counts[r.outcome]++;
    if (verbose || r.outcome !== "PASS") {
      if (lastFile !== "" && lastFile !== r.location.file) lines.push("");
      lines.push(`${r.location.file}:${r.location.row}:`);
      lastFile = r.location.file;
      dirty = true;
      lines.push(resultLine(r));
      const output = r.output.join("\n").trim();
      if (output) lines.push("", indented(output), "");
    }
    if (r.error) lines.push(indented(errorString(r.error, sources)));
  }
  const failed = results.filter((r) => r.outcome === "FAIL");
  if (failed.length > 0 && verbose) {
    lines.push(RULE, "FAILURES", RULE);
    for (const r of failed) lines.push(resultLine(r), "");
  }
  if (dirty) lines.push(RULE);
  const total = results.length;
  for (const outcome of ["PASS", "FAIL", "SKIPPED", "ERROR"] as const) {
    if (counts[outcome] > 0) lines.push(`${outcome}: ${counts[outcome]}/${total}`);
  }
  return lines.join("\n") + "\n";
}

export function jsonReport(results: TestResult[]): string {
  const structs = results.map(
    (r) =>
      new GoStruct([
        ["location", locationStruct(r.location)],
        ["package", r.package],
        ["name", r.rule],
        ["fail", r.outcome === "FAIL" ? true : undefined],
        [
          "error",
          r.error
            ? new GoStruct([
                ["code", r.error.code],
                ["message", r.error.message],
                ["location", r.error.location ? locationStruct(r.error.location) : undefined],
              ])
            : undefined,
        ],
        ["skip", r.outcome === "SKIPPED" ? true : undefined],
        ["duration", Math.round(r.durationNs)],
        ["output", r.output.length > 0 ? Buffer.from(r.output.map((l) => `${l}\n`).join("")).toString("base64") : undefined],
      ]),
  );
  return (structs.length === 0 ? "[]" : goDocument(structs)) + "\n";
}
