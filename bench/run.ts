/**
 * `npm run bench [filter...]`: bundles the suites (as wrangler bundles the
 * Worker) and runs them, reporting medians and p99. Numbers vary with machine
 * load; run on an idle machine for figures worth quoting.
 */
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const dir = mkdtempSync(join(tmpdir(), "caracal-bench-"));
const outfile = join(dir, "suites.mjs");
await build({
  entryPoints: [fileURLToPath(new URL("./suites.ts", import.meta.url))],
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
const { suites } = (await import(pathToFileURL(outfile).href)) as typeof import("./suites.js");
rmSync(dir, { recursive: true, force: true });

const only = process.argv.slice(2);
for (const [title, run] of suites) {
  if (only.length > 0 && !only.some((o) => title.toLowerCase().includes(o.toLowerCase()))) continue;
  console.log(`\n## ${title}`);
  for (const l of await run()) console.log(l);
}
