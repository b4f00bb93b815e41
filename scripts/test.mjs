#!/usr/bin/env node
// `npm test`: runs every vitest project (node, workers) and ends with one plain
// summary line, `N passed, N failed`, read from vitest's JSON report.
// Extra arguments go to vitest (e.g. `npm test -- --project workers`).
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const vitest = join(require.resolve("vitest/package.json"), "..", "vitest.mjs");
const dir = await mkdtemp(join(tmpdir(), "caracal-test-"));
const report = join(dir, "report.json");

const code = await new Promise((resolve) => {
  const child = spawn(
    process.execPath,
    [vitest, "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  child.on("close", (c) => resolve(c ?? 1));
});

let summary;
try {
  const json = JSON.parse(await readFile(report, "utf8"));
  // A file that fails outside its tests (a hook, an import) fails no test of its own: count it as one failure.
  const failedFiles = (json.testResults ?? []).filter(
    (f) => f.status === "failed" && !(f.assertionResults ?? []).some((a) => a.status === "failed"),
  ).length;
  summary = { passed: json.numPassedTests ?? 0, failed: (json.numFailedTests ?? 0) + failedFiles };
} catch {
  summary = undefined;
}
await rm(dir, { recursive: true, force: true });

if (summary) {
  console.log(`${summary.passed} passed, ${summary.failed} failed`);
  process.exitCode = code !== 0 || summary.failed > 0 ? 1 : 0;
} else {
  console.log("0 passed, 1 failed");
  console.error("vitest wrote no JSON report (it failed before running tests)");
  process.exitCode = 1;
}
