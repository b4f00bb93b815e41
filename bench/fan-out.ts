/**
 * Stream fan-out (issue 15): Redis commands per second as the isolates of one
 * colo grow. One workerd runs N instances of the Worker (N isolates sharing
 * one Cache API and one D1), each driven by requests every DRIVE_EVERY_MS;
 * a real redis-server behind the project's Upstash bridge counts what they
 * send (`INFO commandstats`). With the shared read (distribution/shared-tip.ts)
 * the stream reads per second stay flat as N grows; the isolate reports
 * (`SET caracal:isolate:…`, one per isolate every 10 s) still grow with N.
 */
import { startRedisServer, type RedisServer } from "../cli/redis/redis-server.js";
import { RespConnection } from "../cli/redis/resp.js";
import { startBridge, type Bridge } from "../cli/redis/upstash-bridge.js";
import { api, applyMigrations, startColo } from "./edge.js";

const BRIDGE_TOKEN = "fan-out-bench-token";
const DRIVE_EVERY_MS = 50;

export interface Stream {
  redis: RedisServer;
  bridge: Bridge;
  vars: Record<string, string>;
  /** commands redis-server has run, by name, since the last reset */
  commandStats(): Promise<Map<string, number>>;
  resetStats(): Promise<void>;
  stop(): Promise<void>;
}

export interface StreamOptions {
  /** redis-server's port (to restart it where the bridge and the Worker expect it); default a free one */
  redisPort?: number;
  bridgePort?: number;
  /** where the bridge says it lost or regained redis-server */
  log?: (message: string) => void;
}

/** A real redis-server behind the project's Upstash-compatible bridge, and the Worker vars that point at it. */
export async function startStream(options: StreamOptions = {}): Promise<Stream> {
  const redis = await startRedisServer(options.redisPort);
  if (!redis) throw new Error("redis-server is required (Debian's redis-server package; .ci/run installs it)");
  const bridge = await startBridge({ redisPort: redis.port, token: BRIDGE_TOKEN, port: options.bridgePort, log: options.log });
  const admin = await RespConnection.open(redis.port);
  return {
    redis,
    bridge,
    vars: { UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: BRIDGE_TOKEN },
    async commandStats() {
      const [info] = await admin.send([["INFO", "commandstats"]]);
      const stats = new Map<string, number>();
      for (const m of String(info).matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) stats.set(m[1]!, Number(m[2]));
      return stats;
    },
    async resetStats() {
      await admin.send([["CONFIG", "RESETSTAT"]]);
    },
    async stop() {
      admin.close();
      await bridge.close();
      await redis.stop();
    },
  };
}

export interface FanOut {
  instances: number;
  seconds: number;
  /** XREAD + XREVRANGE per second: the stream reads */
  streamReadsPerSecond: number;
  /** every command per second (stream reads, isolate reports, …) */
  commandsPerSecond: number;
  requests: number;
}

/** N instances in one colo, each driven by requests for `seconds`; what Redis saw. */
export async function measureFanOut(stream: Stream, instances: number, seconds: number, cache = true): Promise<FanOut> {
  const colo = await startColo(instances, { vars: stream.vars, cache });
  try {
    await applyMigrations(colo);
    const zone = (await api(colo.urls[0]!, "POST", "/zones", { name: `fan-out-${instances}` })).id as string;
    // Any request under /zones/ may start the isolate's stream check; this one is a cheap 404.
    const drive = async (url: URL, until: number) => {
      let n = 0;
      while (performance.now() < until) {
        await (await fetch(new URL(`/zones/${zone}/nothing-here`, url))).arrayBuffer();
        n++;
        await new Promise((r) => setTimeout(r, DRIVE_EVERY_MS));
      }
      return n;
    };
    // Warm-up: every isolate has found the stream's tip.
    await Promise.all(colo.urls.map((u) => drive(u, performance.now() + 1000)));
    await stream.resetStats();
    const t0 = performance.now();
    const counts = await Promise.all(colo.urls.map((u) => drive(u, t0 + seconds * 1000)));
    const elapsed = (performance.now() - t0) / 1000;
    const stats = await stream.commandStats();
    const reads = (stats.get("xread") ?? 0) + (stats.get("xrevrange") ?? 0);
    let all = 0;
    for (const [name, calls] of stats) if (name !== "config" && name !== "info") all += calls;
    return {
      instances,
      seconds: elapsed,
      streamReadsPerSecond: reads / elapsed,
      commandsPerSecond: all / elapsed,
      requests: counts.reduce((a, b) => a + b, 0),
    };
  } finally {
    await colo.stop();
  }
}

export async function runFanOutBench(): Promise<string[]> {
  const stream = await startStream();
  try {
    const lines = [
      `one workerd, N instances of the Worker (isolates of one colo sharing a Cache API), each driven every ${DRIVE_EVERY_MS} ms; redis INFO commandstats`,
    ];
    for (const cache of [true, false]) {
      lines.push(
        cache ? "shared read through the Cache API:" : "Cache API keeping nothing (workers.dev): each isolate reads the stream itself",
      );
      for (const n of [1, 2, 4, 8]) {
        const r = await measureFanOut(stream, n, 10, cache);
        lines.push(
          `  ${`${n} instance${n === 1 ? "" : "s"}`.padEnd(12)} stream reads ${r.streamReadsPerSecond.toFixed(2)}/s, all Redis commands ${r.commandsPerSecond.toFixed(2)}/s (${r.requests} requests in ${r.seconds.toFixed(1)} s)`,
        );
      }
    }
    return lines;
  } finally {
    await stream.stop();
  }
}
