#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm install`/`npm ci` runs it): bundles the `caracal` CLI
// (cli/index.ts and what it imports, dependencies included) into dist/cli/ as plain JavaScript,
// so bin/caracal.js starts without a TypeScript transpiler. The local tools (eval, test) and
// the Rego engine they load are split into chunks loaded only when those commands run, so the
// API commands parse little code at start-up.
//
// dist/cli/ is two levels below the project root, as cli/commands/*.ts are: code that finds the
// project root relative to its own file (`caracal dev`) resolves the same built or not.
import { build } from "esbuild";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const outdir = `${root}dist/cli`;

const result = await build({
  absWorkingDir: root,
  entryPoints: { caracal: "cli/index.ts" },
  outdir,
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // wrangler is run as a program (resolved from node_modules at run time), never imported.
  external: ["wrangler"],
  // Some bundled dependencies require() Node built-ins; give the ESM bundle a require.
  banner: { js: 'import { createRequire as __caracalRequire } from "node:module"; const require = __caracalRequire(import.meta.url);' },
  sourcemap: "linked",
  logLevel: "warning",
  write: false,
});

// Files are replaced only when they change, each by a rename (atomic), so a CLI already running
// from dist/ — e.g. the e2e tests of a concurrent `npm test`, which builds first — never reads a
// half-written file. Chunks a previous build left are removed.
await mkdir(outdir, { recursive: true });
const written = new Set();
for (const file of result.outputFiles) {
  written.add(file.path);
  const current = await readFile(file.path).catch(() => undefined);
  if (current?.equals(file.contents)) continue;
  const temporary = `${file.path}.${process.pid}.tmp`;
  await writeFile(temporary, file.contents);
  await rename(temporary, file.path);
}
for (const name of await readdir(outdir)) {
  const path = join(outdir, name);
  if (!written.has(path) && !name.endsWith(".tmp")) await rm(path, { force: true });
}
