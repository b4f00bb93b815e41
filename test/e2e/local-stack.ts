/**
 * The local stack as a user starts it, for end-to-end tests: `caracal dev` (wrangler dev + local
 * D1, Redis when installed) on free ports with a temporary work and persist dir, and the real CLI
 * binary run in that work dir with the admin token and API URL it printed.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect } from "vitest";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CARACAL = join(ROOT, "bin/caracal.js");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The `pfx-…` id of an `ID: …` line. */
export function idOf(stdout: string, prefix: string): string {
  const match = new RegExp(`^ID: (${prefix}-[a-z0-9]{12})$`, "m").exec(stdout);
  expect(match, stdout).not.toBeNull();
  return match![1]!;
}

export interface LocalStack {
  /** the CLI's working directory (so `./payments.rego` resolves as in the docs) */
  workDir: string;
  /** the CLI's environment: CARACAL_API_URL, CARACAL_ADMIN_TOKEN, and what a test adds (CARACAL_ZONE_ID) */
  env: Record<string, string>;
  /** runs the real binary in the work dir */
  caracal(...args: string[]): Promise<CliResult>;
  /** runs it and expects exit 0; its stdout */
  ok(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A port can be taken between `freePort` and wrangler binding it, and wrangler dev rebuilds and
 * restarts its runtime once as it starts (its [build] command runs again when its file watcher is
 * ready); under load that restart has been seen to fail with "Address already in use" on the port
 * it had just bound. Either way nothing of the test has run yet: start again on fresh ports.
 */
const START_ATTEMPTS = 3;

export async function startLocalStack(workDirPrefix: string): Promise<LocalStack> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startLocalStackOnce(workDirPrefix);
    } catch (err) {
      if (!(err instanceof PortInUseError) || attempt === START_ATTEMPTS) throw err;
    }
  }
}

class PortInUseError extends Error {}

async function startLocalStackOnce(workDirPrefix: string): Promise<LocalStack> {
  const workDir = await mkdtemp(join(tmpdir(), workDirPrefix));
  const [port, inspectorPort] = [await freePort(), await freePort()];
  for (const name of ["CARACAL_API_URL", "CARACAL_ADMIN_TOKEN", "CARACAL_ZONE_ID"]) delete process.env[name];

  const dev: ChildProcess = spawn(
    process.execPath,
    [CARACAL, "dev", "--port", String(port), "--inspector-port", String(inspectorPort), "--persist-to", join(workDir, "state")],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let stdout = "";
  let stderr = "";
  dev.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const token = await new Promise<string>((resolve, reject) => {
    dev.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^ {2}export CARACAL_ADMIN_TOKEN=(\S+)$/m.exec(stdout);
      if (match && stdout.includes("caracal zone create")) resolve(match[1]!);
    });
    dev.once("close", (code) => {
      const message = `caracal dev exited (${code}):\n${stdout}\n${stderr}`;
      const inUse = /Address already in use/.test(stdout + stderr);
      void rm(workDir, { recursive: true, force: true }).finally(() => reject(inUse ? new PortInUseError(message) : new Error(message)));
    });
  });
  expect(stdout).toMatch(/invalidation: (stream caracal\.policy\.invalidate|poll-only)/);
  const env: Record<string, string> = { CARACAL_API_URL: `http://127.0.0.1:${port}`, CARACAL_ADMIN_TOKEN: token };

  const caracal = (...args: string[]): Promise<CliResult> =>
    new Promise((resolve) => {
      execFile(process.execPath, [CARACAL, ...args], { cwd: workDir, env: { ...process.env, ...env } }, (err, out, errOut) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout: out, stderr: errOut });
      });
    });
  return {
    workDir,
    env,
    caracal,
    async ok(...args) {
      const res = await caracal(...args);
      expect(res.code, `caracal ${args.join(" ")}\n${res.stderr}`).toBe(0);
      return res.stdout;
    },
    async stop() {
      if (dev.pid !== undefined && dev.exitCode === null) {
        const closed = new Promise((resolve) => dev.once("close", resolve));
        process.kill(-dev.pid, "SIGTERM");
        await closed;
      }
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/**
 * One local stack for a test file: started before its tests (then `prepare` runs, e.g. to write
 * the files the CLI reads from the work dir) and stopped after them. The handle's members are
 * usable once the tests run.
 */
export function useLocalStack(workDirPrefix: string, prepare?: (stack: LocalStack) => Promise<void>): LocalStack {
  let stack: LocalStack | undefined;
  const started = (): LocalStack => {
    if (!stack) throw new Error("the local stack is used before it started");
    return stack;
  };
  beforeAll(async () => {
    stack = await startLocalStack(workDirPrefix);
    await prepare?.(stack);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  return {
    get workDir() {
      return started().workDir;
    },
    get env() {
      return started().env;
    },
    caracal: (...args) => started().caracal(...args),
    ok: (...args) => started().ok(...args),
    stop: () => started().stop(),
  };
}
