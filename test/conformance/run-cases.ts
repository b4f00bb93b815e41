/**
 * `npm run conformance [dir] [--json FILE] [--filter S] [--verbose] [--v0-compatible] [--write-known-failures]`
 */
import { fileURLToPath } from "node:url";
import { runConformanceCli } from "./cli.js";
import { runRegoCase } from "./regocases.js";
import { defaultSuiteDir } from "./suite-dir.js";

const argv = process.argv.slice(2);
const v0 = argv.includes("--v0-compatible");
await runConformanceCli(
  argv.filter((a) => a !== "--v0-compatible"),
  {
    defaultDir: defaultSuiteDir("opa-cases/v1"),
    knownFile: fileURLToPath(new URL(v0 ? "./known-failures-cases-v0.json" : "./known-failures-cases.json", import.meta.url)),
    run: (c) => runRegoCase(c, { regoVersion: v0 ? 0 : 1 }),
  },
);
