/**
 * `caracal dev` (= `npm start`): the local stack. Applies the migrations to
 * the local D1, makes sure an admin token and a key-encryption key for the
 * zones' signing keys exist in .dev.vars, runs
 * `wrangler dev` on 127.0.0.1 and, once the admin API answers, prints what to
 * paste into a shell and what to do next. When redis-server is installed it
 * also starts it with the project's Upstash bridge, so activations reach the
 * Worker through the invalidation stream; otherwise the stack runs poll-only
 * and says so.
 */
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Option, type Command } from "commander";
import { DEFAULT_API_URL } from "../context.js";
import { failure, usageError } from "../errors.js";
import { ensureDevSecrets } from "../dev/dev-vars.js";
import { runWrangler, spawnWrangler } from "../dev/wrangler.js";
import { startLocalStream } from "../dev/invalidation.js";

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
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
      if (!/^\d{1,5}$/.test(opts.port)) throw usageError(`--port must be a port number, not ${opts.port}`);
      const persist = opts.persistTo ? ["--persist-to", opts.persistTo] : [];
      log("applying migrations to the local D1 …");
      const migrations = await runWrangler(["d1", "migrations", "apply", "DB", "--local", ...persist], PROJECT_ROOT);
      if (migrations.code !== 0) throw failure(`migrations failed:\n${migrations.output}`);
      const { adminToken: token, created } = await ensureDevSecrets(PROJECT_ROOT);
      log(created.length > 0 ? `created ${created.join(" and ")} in .dev.vars` : "using the secrets in .dev.vars");

      const stream = opts.stream ? await startLocalStream() : undefined;
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
          // Lets `curl http://…/__scheduled` run the cron handler (the outbox re-send) locally.
          "--test-scheduled",
        ],
        PROJECT_ROOT,
        // Its own process group: stopping it also stops the workerd it runs.
        { stdio: ["ignore", "pipe", "pipe"], detached: true },
      );
      forwardOutput(wrangler);
      let stopping = false;
      const exited = new Promise<number>((resolve) => wrangler.on("close", (code) => resolve(stopping ? 0 : (code ?? 1))));
      const stopAll = () => {
        stop(wrangler);
        void stream?.stop();
      };
      for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
        process.once(signal, () => {
          stopping = true;
          stopAll();
        });
      }
      process.once("exit", stopAll);

      const ready = await Promise.race([waitUntilServing(baseUrl), exited.then(() => false)]);
      if (!ready) {
        stopAll();
        throw failure(`wrangler dev did not start serving ${baseUrl}; see its output above`);
      }
      printBanner(baseUrl, token, stream !== undefined);
      process.exitCode = await exited;
    });
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

function stop(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
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
