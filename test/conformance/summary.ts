/**
 * The runners' shared reporting: one line per topic, a final
 * `N passed, N failed, N skipped` line, and every outcome as JSON on request.
 * Known failures are checked against the list so a regression is visible.
 */
import { writeFileSync } from "node:fs";
import type { KnownFailure } from "./cases.js";
import type { CaseResult } from "./judge.js";

export interface Totals {
  passed: number;
  failed: number;
  skipped: number;
}

export function summarize(results: CaseResult[]): Totals {
  const t: Totals = { passed: 0, failed: 0, skipped: 0 };
  for (const r of results) t[r.outcome]++;
  return t;
}

export function report(results: CaseResult[], known: Map<string, KnownFailure>, verbose: boolean): Totals {
  const byTopic = new Map<string, CaseResult[]>();
  for (const r of results) {
    const list = byTopic.get(r.topic) ?? [];
    list.push(r);
    byTopic.set(r.topic, list);
  }
  for (const [topic, list] of [...byTopic].sort((a, b) => a[0].localeCompare(b[0]))) {
    const t = summarize(list);
    console.log(`${topic}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
    for (const r of list) {
      if (r.outcome === "failed" && (verbose || !known.has(r.id)))
        console.log(`  FAIL ${r.id} ${r.note}${known.has(r.id) ? " (known)" : ""}\n    ${r.detail ?? ""}`);
    }
  }
  const t = summarize(results);
  const unexpected = results.filter((r) => r.outcome === "failed" && !known.has(r.id)).length;
  const fixed = results.filter((r) => r.outcome === "passed" && known.has(r.id)).length;
  if (unexpected) console.log(`${unexpected} failures are not in the known-failures list`);
  if (fixed) console.log(`${fixed} known failures now pass: remove them from the list`);
  console.log(`${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
  return t;
}

export function writeJSON(file: string, results: CaseResult[]): void {
  writeFileSync(file, JSON.stringify(results, null, 1) + "\n");
}

export interface CliArgs {
  dir: string;
  json?: string;
  filter?: string;
  verbose: boolean;
  writeKnown: boolean;
}

export function parseArgs(argv: string[], defaultDir: string): CliArgs {
  const args: CliArgs = { dir: defaultDir, verbose: false, writeKnown: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--json") args.json = argv[++i];
    else if (a === "--filter") args.filter = argv[++i];
    else if (a === "--verbose" || a === "-v") args.verbose = true;
    else if (a === "--write-known-failures") args.writeKnown = true;
    else if (a.startsWith("-")) {
      console.error(`unknown option ${a}`);
      process.exit(2);
    } else args.dir = a;
  }
  return args;
}
