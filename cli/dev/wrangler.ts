/** Runs the project's own wrangler (node_modules) with telemetry off, so `caracal dev` works offline. */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

function wranglerBin(): string {
  const pkgPath = require.resolve("wrangler/package.json");
  const bin = (require(pkgPath) as { bin: Record<string, string> }).bin.wrangler as string;
  return join(dirname(pkgPath), bin);
}

/** No telemetry, and no fetch of the `Request.cf` sample from workers.cloudflare.com (a placeholder is used). */
function wranglerEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
  };
}

export function spawnWrangler(args: string[], cwd: string, options: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, [wranglerBin(), ...args], { cwd, env: wranglerEnv(), ...options });
}

/** Runs wrangler to completion and returns its exit code and combined output. */
export function runWrangler(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnWrangler(args, cwd, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}
