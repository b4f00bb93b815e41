/**
 * The engine of this starting commit (3b255a0), for side-by-side
 * comparisons in one process (issue 11, item 5). Built from a worktree of that commit:
 *   git worktree add /tmp/perf-base 3b255a0 && cp -al node_modules /tmp/perf-base/
 * (CARACAL_BENCH_BASE overrides the path), bundled with esbuild as run.ts bundles
 * this one, and driven through the public API both share (compile, prepare,
 * evaluateSync, fromJS, toJS).
 */
import { createRequire } from "node:module";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as current from "../workers/rego/index.js";

export type Engine = Pick<typeof current, "compile" | "prepare" | "fromJS" | "toJS">;

/** The base engine, or why it is not there. Each suite runs in its own process (run.ts), so each builds it once. */
export async function loadBase(): Promise<Engine | string> {
  const base = process.env.CARACAL_BENCH_BASE ?? "/tmp/perf-base";
  const entry = join(base, "workers/rego/index.ts");
  if (!existsSync(entry)) return `base engine not found at ${entry} (see bench/base-engine.ts for how to build it)`;
  const dir = mkdtempSync(join(tmpdir(), "caracal-base-"));
  const outfile = join(dir, "base.mjs");
  // esbuild is loaded from the project at run time: bundled into the bench it cannot find its binary.
  const { build } = createRequire(join(process.cwd(), "package.json"))("esbuild") as typeof import("esbuild");
  try {
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile,
      logLevel: "error",
      banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
    });
    return (await import(pathToFileURL(outfile).href)) as Engine;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
