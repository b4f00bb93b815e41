/**
 * `npm run bench [filter...]`: bundles the suites (as wrangler bundles the
 * Worker) and runs each in its own Node process, so one suite's heap and JIT
 * state do not colour the next; reports medians and p99. Numbers vary with
 * machine load; run on an idle machine for figures worth quoting.
 */
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = mkdtempSync(join(tmpdir(), "caracal-bench-"));
const outfile = join(dir, "bench.mjs");
await build({
  entryPoints: [fileURLToPath(new URL("./main.ts", import.meta.url))],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outfile,
  loader: { ".rego": "text" },
  // Some dependencies require() Node built-ins; give the ESM bundle a require.
  banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
  logLevel: "error",
});

const only = process.argv.slice(2);
let failed = false;
try {
  const titles = spawnSync(process.execPath, [outfile, "--list"], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
  for (const title of titles) {
    if (only.length > 0 && !only.some((o) => title.toLowerCase().includes(o.toLowerCase()))) continue;
    console.log(`\n## ${title}`);
    const run = spawnSync(process.execPath, [outfile, title], { stdio: ["ignore", "inherit", "pipe"], encoding: "utf8" });
    if (run.status !== 0) {
      failed = true;
      console.error(run.stderr);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
