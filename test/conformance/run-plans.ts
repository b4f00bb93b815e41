/**
 * `npm run conformance:plans [dir] [--json FILE] [--filter S] [--verbose] [--write-known-failures]`
 */
import { fileURLToPath } from "node:url";
import { runConformanceCli } from "./cli.js";
import { runPlanCase } from "./plans.js";

await runConformanceCli(process.argv.slice(2), {
  defaultDir: fileURLToPath(new URL("../../../shared/conformance/opa-plans/v1", import.meta.url)),
  knownFile: fileURLToPath(new URL("./known-failures-plans.json", import.meta.url)),
  run: runPlanCase,
});
