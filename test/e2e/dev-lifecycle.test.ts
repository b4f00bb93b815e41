/**
 * `caracal dev`'s lifecycle (issue 13): it refuses a busy port before
 * starting anything (exit 1, a clear message, no banner); when wrangler
 * exits it says so and exits 1; and whatever stops it — wrangler dying, its
 * own SIGKILL (no handler runs: the detached watchdog acts), or its parent
 * going away — wrangler's process group (with workerd) and redis-server stop
 * too, so nothing keeps serving. Nothing asserts on time; the measured times
 * are printed (`MEASURED …`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CARACAL, freePort, ROOT } from "./local-stack.js";

let workDir: string;
const started: ChildProcess[] = [];
const pidsToReap: number[] = [];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function gone(pid: number): Promise<void> {
  while (alive(pid)) await new Promise((r) => setTimeout(r, 100));
}

/** Resolves once nothing accepts connections on the port any more. */
async function portClosed(port: number): Promise<void> {
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/v1/openapi.json`, { signal: AbortSignal.timeout(2000) });
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Dev {
  child: ChildProcess;
  port: number;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
  wranglerPid: number;
  redisPid: number | undefined;
}

/** `caracal dev` on free ports with its own D1 dir; resolves once the banner is printed. `wrap` runs it under `sh -c`. */
async function startDev(wrap = false): Promise<Dev> {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const args = [
    CARACAL,
    "dev",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    join(workDir, `state-${port}`),
  ];
  const child = wrap
    ? spawn("sh", ["-c", `"${process.execPath}" ${args.map((a) => `"${a}"`).join(" ")} & wait`], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      })
    : spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (stdout.includes("Stop with Ctrl-C.")) resolve();
    };
    child.stdout?.on("data", check);
    void exited.then((code) => reject(new Error(`caracal dev exited (${code}):\n${stdout}\n${stderr}`)));
  });
  const wranglerPid = Number(/wrangler dev pid (\d+)/.exec(stderr)?.[1]);
  const redisMatch = /redis-server pid (\d+)/.exec(stderr);
  const redisPid = redisMatch ? Number(redisMatch[1]) : undefined;
  expect(wranglerPid).toBeGreaterThan(0);
  pidsToReap.push(wranglerPid, ...(redisPid ? [redisPid] : []));
  return { child, port, stdout: () => stdout, stderr: () => stderr, exited, wranglerPid, redisPid };
}

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await work();
  console.log(`MEASURED ${what}: ${(performance.now() - t0).toFixed(0)} ms`);
  return result;
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "caracal-dev-lifecycle-"));
});

afterAll(async () => {
  for (const child of started) if (child.exitCode === null) child.kill("SIGKILL");
  for (const pid of pidsToReap) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // not a group leader, or gone
    }
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe("caracal dev lifecycle", () => {
  it("refuses a busy port with a clear message and exit 1, before starting anything", async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, "127.0.0.1", r));
    try {
      const result = await timed("caracal dev on a busy port", () => {
        const child = spawn(process.execPath, [CARACAL, "dev", "--port", String(port), "--persist-to", join(workDir, "busy")], {
          cwd: ROOT,
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
          child.once("close", (code) => resolve({ code, stdout, stderr })),
        );
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `error: port ${port} on 127.0.0.1 is already in use (EADDRINUSE); stop what is using it or pass --port`,
      );
      expect(result.stderr).not.toContain("applying migrations");
      expect(result.stdout).not.toContain("running");
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it("killed with SIGKILL, its watchdog stops wrangler (and workerd) and redis-server", async () => {
    const dev = await startDev();
    expect((await fetch(`http://127.0.0.1:${dev.port}/v1/openapi.json`)).status).toBe(200);
    dev.child.kill("SIGKILL");
    await timed("wrangler gone after caracal dev was SIGKILLed", () => gone(dev.wranglerPid));
    if (dev.redisPid) await timed("redis-server gone after caracal dev was SIGKILLed", () => gone(dev.redisPid as number));
    await portClosed(dev.port);
  });

  it("when wrangler exits, it says how, stops redis-server and exits 1", async () => {
    const dev = await startDev();
    process.kill(dev.wranglerPid, "SIGKILL");
    const code = await timed("caracal dev exit after wrangler was SIGKILLed", () => dev.exited);
    expect(code).toBe(1);
    expect(dev.stderr()).toContain("caracal dev: wrangler dev exited (killed by SIGKILL); stopping");
    if (dev.redisPid) await gone(dev.redisPid);
    await portClosed(dev.port);
  });

  it("when its parent goes away, it stops itself, wrangler and redis-server", async () => {
    const dev = await startDev(true);
    const caracalPid = Number(/^(\d+)$/m.exec(await pgrepChild(dev.child.pid as number))?.[1]);
    dev.child.kill("SIGKILL"); // the shell: caracal dev is reparented
    if (caracalPid) await timed("caracal dev gone after its parent was SIGKILLed", () => gone(caracalPid));
    await gone(dev.wranglerPid);
    if (dev.redisPid) await gone(dev.redisPid);
    await portClosed(dev.port);
  });
});

/** The pid of the shell's child (caracal dev). */
async function pgrepChild(parent: number): Promise<string> {
  const child = spawn("pgrep", ["-P", String(parent)], { stdio: ["ignore", "pipe", "ignore"] });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  await new Promise((r) => child.once("close", r));
  return out;
}
