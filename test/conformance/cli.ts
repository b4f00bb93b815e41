/**
 * The shared command line of both conformance runners: load the cases of a
 * folder, run each, print the per-topic report and the final count line,
 * optionally write every outcome as JSON or refresh the known-failures list.
 */
import { writeFileSync } from "node:fs";
import { loadCases, loadKnownFailures, type CaseRecord } from "./cases.js";
import type { CaseResult } from "./judge.js";
import { parseArgs, report, writeJSON } from "./summary.js";

export async function runConformanceCli(
  argv: string[],
  opts: { defaultDir: string; knownFile: string; run: (c: CaseRecord) => Promise<CaseResult> },
): Promise<void> {
  const args = parseArgs(argv, opts.defaultDir);
  const known = loadKnownFailures(opts.knownFile);
  const started = performance.now();
  const results: CaseResult[] = [];
  for (const c of loadCases(args.dir, args.filter)) results.push(await opts.run(c));
  const totals = report(results, known, args.verbose);
  console.error(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  if (args.json) writeJSON(args.json, results);
  if (args.writeKnown) {
    const list = Object.fromEntries(
      results
        .filter((r) => r.outcome !== "passed")
        .map((r) => [r.id, { note: r.note, reason: known.get(r.id)?.reason ?? r.detail?.split("\n")[0] ?? "" }]),
    );
    writeFileSync(opts.knownFile, JSON.stringify(list, null, 1) + "\n");
  }
  const unexpected = results.some((r) => r.outcome === "failed" && !known.has(r.id));
  process.exitCode = totals.failed > 0 && unexpected ? 1 : 0;
}
