/**
 * Distribution benchmark (issue 6): activation-to-enforcement latency on a
 * second instance. Instance A takes the activation (admin API); instance B,
 * another isolate over the same local D1, serves exchanges every
 * 20 ms, and the latency is the time from A's answer to B's first decision
 * under the new version. Measured with the stream (real redis-server behind
 * the Upstash bridge; each isolate looks at the colo's shared copy every
 * 250 ms, which is re-read from Redis when older than 500 ms) and poll-only (no Redis; POLL_SECONDS shortened to 2 for the run).
 */
import { startRedisServer } from "../cli/redis/redis-server.js";
import { startBridge } from "../cli/redis/upstash-bridge.js";
import { applyMigrations, setupZone, startColo } from "./edge.js";
import { line, summarize } from "./stats.js";

const ACTIVATIONS = 100;
const PROBE_EVERY_MS = 20;
const ALLOW = `package payments
default allow := false
allow if input.subject.claims.role == "payer"
`;
const DENY = `package payments
deny contains "paused" if true
`;

/**
 * `cycleMs` is the period of the mechanism being measured: each activation
 * waits a random part of it first, so activations do not fall in step with
 * B's reads (which would report the whole period every time).
 */
async function measure(vars: Record<string, string>, activations: number, cycleMs: number): Promise<number[]> {
  // One workerd, two isolates over one D1 (docs: bench/edge.ts startColo): two processes over one
  // local D1 file contend for its lock now that every instance's audit drain writes to it.
  const colo = await startColo(2, { vars });
  try {
    await applyMigrations(colo);
    const [a, b] = colo.urls as [URL, URL];
    const fx = await setupZone(a, [ALLOW, DENY]);
    const statusFor = [200, 403];
    await fx.activate(a, fx.versions[0]!);
    await waitFor(() => fx.exchange(b), 200, 120_000);
    const latencies: number[] = [];
    for (let i = 1; i <= activations; i++) {
      const which = i % 2;
      await keepProbing(() => fx.exchange(b, i), Math.random() * cycleMs);
      await fx.activate(a, fx.versions[which]!);
      const t0 = performance.now();
      await waitFor(() => fx.exchange(b, i), statusFor[which]!, 120_000);
      latencies.push(performance.now() - t0);
    }
    return latencies;
  } finally {
    await colo.stop();
  }
}

/** Keeps B's traffic going (reads are driven by requests) for `ms`. */
async function keepProbing(exchange: () => Promise<unknown>, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    await exchange();
    await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
  }
}

async function waitFor(exchange: () => Promise<{ status: number }>, status: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if ((await exchange()).status === status) return;
    await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
  }
  throw new Error(`instance B never answered ${status}`);
}

export async function runDistributionBench(): Promise<string[]> {
  const redis = await startRedisServer();
  if (!redis) return ["redis-server is not installed: stream latency not measured"];
  const token = "bench-bridge-token";
  const bridge = await startBridge({ redisPort: redis.port, token });
  try {
    const ns = (ms: number[]) => ms.map((x) => x * 1e6);
    const stream = await measure(
      { UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: token, POLL_SECONDS: "60" },
      ACTIVATIONS,
      1000,
    );
    const poll = await measure({ POLL_SECONDS: "2" }, ACTIVATIONS, 2000);
    return [
      `two workerd instances over one local D1; B serves an exchange every ${PROBE_EVERY_MS} ms; ${ACTIVATIONS} activations each`,
      line("activation → enforced on B, stream (1 s reads)", summarize(ns(stream))),
      line("activation → enforced on B, poll-only (2 s poll)", summarize(ns(poll))),
    ];
  } finally {
    await bridge.close();
    await redis.stop();
  }
}
