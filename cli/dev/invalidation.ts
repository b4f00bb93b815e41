/**
 * The local invalidation stream for `caracal dev`: Debian's redis-server plus
 * the project's Upstash-REST bridge, wired into the Worker as
 * UPSTASH_REDIS_REST_URL/TOKEN. Without redis-server the stack runs
 * poll-only and says so.
 */
import { randomBytes } from "node:crypto";
import { startRedisServer, type RedisServer } from "../redis/redis-server.js";
import { startBridge, type Bridge } from "../redis/upstash-bridge.js";

export interface LocalStream {
  /** `--var` arguments for wrangler dev */
  vars: string[];
  description: string;
  /** redis-server's pid, for the parent-death watchdog */
  redisPid: number | undefined;
  stop(): Promise<void>;
}

export async function startLocalStream(log: (message: string) => void): Promise<LocalStream | undefined> {
  let redis: RedisServer | undefined;
  let bridge: Bridge | undefined;
  try {
    redis = await startRedisServer();
    if (!redis) return undefined;
    const token = randomBytes(24).toString("base64url");
    bridge = await startBridge({ redisPort: redis.port, token, log: (m) => log(`upstash bridge: ${m}`) });
    const url = bridge.url;
    const b = bridge;
    const r = redis;
    return {
      vars: ["--var", `UPSTASH_REDIS_REST_URL:${url}`, "--var", `UPSTASH_REDIS_REST_TOKEN:${token}`],
      description: `Redis stream caracal.policy.invalidate (redis-server pid ${redis.process.pid} on 127.0.0.1:${redis.port}, Upstash bridge on ${url})`,
      redisPid: redis.process.pid,
      stop: async () => {
        await b.close();
        await r.stop();
      },
    };
  } catch (err) {
    await bridge?.close();
    await redis?.stop();
    throw err;
  }
}
