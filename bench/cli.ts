/**
 * CLI start-up (issue 16): wall time of whole `node bin/caracal.js …` processes, as a user
 * runs them — `--version` (start-up alone) and `policy list` against a local edge (workerd +
 * local D1, as bench/edge.ts runs it), next to a bare `node -e 0` for the floor Node itself
 * sets. The CLI is built first (dist/cli), as `npm install` builds it.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADMIN_TOKEN, applyMigrations, ROOT, setupZone, startEdge } from "./edge.js";
import { line, summarize } from "./stats.js";

const RUNS = 30;
const CARACAL = `${ROOT}bin/caracal.js`;

/** Runs the command to its end; its wall nanoseconds, or a thrown error with its output when it fails. */
function timeProcess(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const ns = Number(process.hrtime.bigint() - t0);
      if (code === 0) resolve(ns);
      else reject(new Error(`node ${args.join(" ")} exited ${code}: ${stderr}`));
    });
  });
}

async function sample(label: string, args: string[]): Promise<string> {
  await timeProcess(args); // warm-up: the file system cache
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await timeProcess(args));
  return line(label, summarize(samples));
}

export async function runCliBench(): Promise<string[]> {
  await timeProcess([`${ROOT}scripts/build-cli.mjs`]);
  const lines = [
    "whole processes, wall time, started one after another; the floor is Node's own start-up",
    await sample("node -e 0 (floor)", ["-e", "0"]),
    await sample("caracal --version", [CARACAL, "--version"]),
  ];
  const dir = mkdtempSync(join(tmpdir(), "caracal-cli-bench-"));
  const edge = await startEdge({ d1Persist: dir });
  try {
    await applyMigrations(edge);
    const { zone } = await setupZone(edge.url, ["package payments\n\ndefault allow := false\n"], 1);
    const global = ["--api-url", edge.url.origin, "--token", ADMIN_TOKEN, "--zone", zone];
    lines.push(await sample("caracal policy list (local edge)", [CARACAL, "policy", "list", ...global]));
  } finally {
    await edge.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}
