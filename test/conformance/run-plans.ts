/**
 * `npm run conformance:plans [dir] [--json FILE] [--filter S] [--verbose] [--write-known-failures]`
 */
import { fileURLToPath } from "node:url";
import { runConformanceCli } from "./cli.js";
import { runPlanCase } from "./plans.js";
import { defaultSuiteDir } from "./suite-dir.js";

await runConformanceCli(process.argv.slice(2), {
  defaultDir: defaultSuiteDir("opa-plans/v1"),
  knownFile: fileURLToPath(new URL("./known-failures-plans.json", import.meta.url)),
  run: runPlanCase,
});
