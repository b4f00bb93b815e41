/**
 * `npm run conformance:plans [dir] [--json FILE] [--filter S] [--verbose]`
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadCases, loadKnownFailures } from "./cases.js";
import { runPlanCase, type CaseResult } from "./plans.js";
import { parseArgs, report, writeJSON } from "./summary.js";

const KNOWN = fileURLToPath(new URL("./known-failures-plans.json", import.meta.url));
const DEFAULT_DIR = fileURLToPath(new URL("../../../shared/conformance/opa-plans/v1", import.meta.url));

const args = parseArgs(process.argv.slice(2), DEFAULT_DIR);
const known = loadKnownFailures(KNOWN);
const started = performance.now();
const results: CaseResult[] = [];
for (const c of loadCases(args.dir, args.filter)) results.push(await runPlanCase(c));
const totals = report(results, known, args.verbose);
console.error(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
if (args.json) writeJSON(args.json, results);
if (args.writeKnown) {
  const list = Object.fromEntries(
    results.filter((r) => r.outcome !== "passed").map((r) => [r.id, { note: r.note, reason: known.get(r.id)?.reason ?? r.detail?.split("\n")[0] ?? "" }]),
  );
  writeFileSync(KNOWN, JSON.stringify(list, null, 1) + "\n");
}
process.exitCode = totals.failed > 0 && results.some((r) => r.outcome === "failed" && !known.has(r.id)) ? 1 : 0;
