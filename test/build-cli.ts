/**
 * Global setup of the node project: builds the CLI (dist/cli, as `npm install` does) before any
 * test runs, so the e2e tests that spawn bin/caracal.js run the current cli/ and workers/ code
 * rather than whatever build an earlier install left behind.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const script = fileURLToPath(new URL("../scripts/build-cli.mjs", import.meta.url));
  execFileSync(process.execPath, [script], { stdio: "inherit" });
}
