/**
 * `caracal dev` (= `npm start`): the local stack. Applies the migrations to
 * the local D1, makes sure an admin token and a key-encryption key for the
 * zones' signing keys exist in .dev.vars, runs
 * `wrangler dev` on 127.0.0.1 and, once the admin API answers, prints what to
 * paste into a shell and what to do next. When redis-server is installed it
 * also starts it with the project's Upstash bridge, so activations reach the
 * Worker through the invalidation stream; otherwise the stack runs poll-only
 * and says so.
 *
 * Lifecycle: a busy port is refused before anything starts (exit 1). If
 * wrangler exits, `caracal dev` says how and exits 1. Whatever stops it —
 * Ctrl-C, SIGTERM/SIGHUP, its parent going away, or SIGKILL (caught by a
 * detached watchdog that watches its pid) — wrangler (its own process group,
 * with workerd) and redis-server are stopped too.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { Option, type Command } from "commander";
import { DEFAULT_API_URL } from "../context.js";
import { failure, usageError } from "../errors.js";
import { ensureDevSecrets } from "../dev/dev-vars.js";
import { runWrangler, spawnWrangler } from "../dev/wrangler.js";
import { startLocalStream } from "../dev/invalidation.js";

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
// From the project root, which is two levels up both from cli/commands/ and from the built dist/cli/.
const WATCHDOG = fileURLToPath(new URL("../../cli/dev/watchdog.mjs", import.meta.url));
const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 90_000;

interface DevOptions {
  port: string;
  stream: boolean;
  persistTo?: string;
  inspectorPort?: string;
}

export function registerDevCommand(program: Command): void {
  program
    .command("dev")
    .description("Run the local stack: local D1 with migrations, admin token in .dev.vars, wrangler dev on 127.0.0.1")
    .addOption(new Option("--port <port>", "port for wrangler dev").default("8787"))
    .option("--persist-to <dir>", "where the local D1 lives (wrangler's default: .wrangler/state)")
    .option("--inspector-port <port>", "port for wrangler's devtools inspector")
    .option("--no-stream", "run poll-only, without the local Redis stream")
    .action(async (opts: DevOptions) => {
      if (!/^\d{1,5}$/.test(opts.port) || Number(opts.port) < 1 || Number(opts.port) > 65535)
        throw usageError(`--port must be a port number, not ${opts.port}`);
      // Before anything starts: wrangler on a busy port fails, while a readiness probe would reach the other server.
      const busy = await portInUse(HOST, Number(opts.port));
      if (busy) throw failure(`port ${opts.port} on ${HOST} is already in use (${busy}); stop what is using it or pass --port`);
      const persist = opts.persistTo ? ["--persist-to", opts.persistTo] : [];
      log("applying migrations to the local D1 …");
      const migrations = await runWrangler(["d1", "migrations", "apply", "DB", "--local", ...persist], PROJECT_ROOT);
      if (migrations.code !== 0) throw failure(`migrations failed:\n${migrations.output}`);
      const { adminToken: token, created } = await ensureDevSecrets(PROJECT_ROOT);
      log(created.length > 0 ? `created ${created.join(" and ")} in .dev.vars` : "using the secrets in .dev.vars");

      const stream = opts.stream ? await startLocalStream(log) : undefined;
      log(
        stream
          ? `invalidation: ${stream.description}`
          : `invalidation: poll-only (${opts.stream ? "redis-server is not installed" : "--no-stream"})`,
      );
      const baseUrl = `http://${HOST}:${opts.port}`;
      log(`starting wrangler dev on ${baseUrl} …`);
      const wrangler = spawnWrangler(
        [
          "dev",
          "--ip",
          HOST,
          "--port",
          opts.port,
          "--show-interactive-dev-session=false",
          ...persist,
          ...(opts.inspectorPort ? ["--inspector-port", opts.inspectorPort] : []),
          ...(stream?.vars ?? []),
          // The zones' issuer origin (never taken from the Host header).
          "--var",
          `CARACAL_ISSUER_URL:${baseUrl}`,
          // Lets `curl http://…/__scheduled` run the cron handler (the outbox re-send) locally.
          "--test-scheduled",
        ],
        PROJECT_ROOT,
        // Its own process group: stopping it also stops the workerd it runs.
        { stdio: ["ignore", "pipe", "pipe"], detached: true },
      );
      log(`wrangler dev pid ${wrangler.pid} (its own process group)`);
      forwardOutput(wrangler);
      // If this process dies without running its handlers (SIGKILL), the watchdog stops the children.
      startWatchdog([...(wrangler.pid ? [-wrangler.pid] : []), ...(stream?.redisPid ? [stream.redisPid] : [])]);

      let stopping = false;
      // "exit", not "close": workerd inherits wrangler's pipes, so they stay open when wrangler alone dies.
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        wrangler.on("exit", (code, signal) => resolve({ code, signal })),
      );
      const stopAll = () => {
        stop(wrangler);
        void stream?.stop();
      };
      const stopOn = (reason: string) => {
        if (stopping) return;
        stopping = true;
        log(`${reason}: stopping wrangler dev${stream ? " and redis-server" : ""}`);
        stopAll();
      };
      for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => stopOn(`received ${signal}`));
      process.once("exit", stopAll);
      watchParent(() => stopOn("the parent process is gone"));

      const ready = await Promise.race([waitUntilServing(baseUrl), exited.then(() => false)]);
      if (!ready && stopping) {
        await exited;
        await stream?.stop();
        return;
      }
      if (!ready) {
        stopAll();
        const how = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000))]);
        await stream?.stop();
        throw failure(
          `wrangler dev ${how ? `exited (${describeExit(how)})` : "did not start"} before serving ${baseUrl}; see its output above`,
        );
      }
      printBanner(baseUrl, token, stream !== undefined);
      const how = await exited;
      if (stopping) {
        await stream?.stop();
        process.exitCode = 0;
        return;
      }
      stopping = true;
      log(`wrangler dev exited (${describeExit(how)}); stopping${stream ? " redis-server" : ""}`);
      stop(wrangler);
      await stream?.stop();
      process.exitCode = 1;
    });
}

function describeExit({ code, signal }: { code: number | null; signal: NodeJS.Signals | null }): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

/** Why the port cannot be listened on, or undefined when it is free. */
function portInUse(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen(port, host, () => server.close(() => resolve(undefined)));
  });
}

/** Runs cli/dev/watchdog.mjs, detached, to stop `targets` once this process is gone. */
function startWatchdog(targets: number[]): void {
  if (targets.length === 0) return;
  const watchdog = spawn(process.execPath, [WATCHDOG, String(process.pid), ...targets.map(String)], {
    detached: true,
    stdio: "ignore",
  });
  watchdog.unref();
}

/** Stops the stack when the process that started `caracal dev` goes away (we are reparented). */
function watchParent(onGone: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onGone();
    }
  }, 1000);
  timer.unref();
}

function log(message: string): void {
  process.stderr.write(`caracal dev: ${message}\n`);
}

/** Wrangler's own logs (requests, Worker console output) go to stderr; stdout is for the banner. */
function forwardOutput(child: ChildProcess): void {
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) if (line.trim()) process.stderr.write(`[wrangler] ${line}\n`);
    });
  }
}

/** Stops the child's whole process group: also after wrangler itself died, its workerd may still run. */
function stop(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
}

async function waitUntilServing(baseUrl: string): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${baseUrl}/v1/openapi.json`);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function printBanner(baseUrl: string, token: string, stream: boolean): void {
  const lines = [
    "",
    `Caracal Edge is running on ${baseUrl}`,
    `  admin API:    ${baseUrl}/v1  (OpenAPI: ${baseUrl}/v1/openapi.json)`,
    `  STS:          ${baseUrl}/zones/<zone>/oauth2/token  (JWKS: …/.well-known/jwks.json)`,
    `  invalidation: ${stream ? "stream caracal.policy.invalidate (local redis-server via the Upstash bridge), polled by each isolate every second; D1 re-checked every 60 s" : "poll-only — no Redis stream; isolates re-read a zone's activation every 60 s (POLL_SECONDS)"}`,
    "",
    "Paste into your shell:",
    `  export CARACAL_ADMIN_TOKEN=${token}`,
    ...(baseUrl === DEFAULT_API_URL ? [] : [`  export CARACAL_API_URL=${baseUrl}`]),
    "",
    "Next, create a zone and make it your default:",
    "  npx caracal zone create --name dev",
    "  export CARACAL_ZONE_ID=<the ID it prints>",
    "",
    "Stop with Ctrl-C.",
    "",
  ];
  process.stdout.write(lines.join("\n"));
}
