/**
 * The Worker's Redis: Upstash's REST API through @upstash/redis (a local
 * redis-server behind the project's bridge in development and tests).
 * Without UPSTASH_REDIS_REST_URL the system runs poll-only.
 */
import { Redis } from "@upstash/redis/cloudflare";
import type { Env } from "../env.js";

const clients = new Map<string, Redis>();

export function redisOf(env: Env): Redis | undefined {
  const url = env.UPSTASH_REDIS_REST_URL;
  const token = env.UPSTASH_REDIS_REST_TOKEN;
  if (!url || !token) return undefined;
  const key = `${url}\u0000${token}`;
  let client = clients.get(key);
  if (!client) {
    // Fail fast: a Redis outage must delay invalidation, never stall requests.
    client = new Redis({ url, token, retry: false, automaticDeserialization: false });
    clients.set(key, client);
  }
  return client;
}
