/**
 * The Worker's Redis: Upstash's REST API through @upstash/redis (a local
 * redis-server behind the project's bridge in development and tests).
 * Without UPSTASH_REDIS_REST_URL the system runs poll-only.
 *
 * Every call has a deadline (REDIS_TIMEOUT_MS, default 300): a Redis that is
 * slow or stalled (process paused, connection open) must delay invalidation,
 * never hold a request. The signal is made per request, so each command gets
 * its own deadline; on expiry @upstash/redis rejects with the abort error,
 * which every caller treats like Redis being down.
 */
import { Redis } from "@upstash/redis/cloudflare";
import type { Env } from "../env.js";

export const DEFAULT_REDIS_TIMEOUT_MS = 300;

const clients = new Map<string, Redis>();

export function redisTimeoutMs(env: Env): number {
  const ms = Number(env.REDIS_TIMEOUT_MS ?? DEFAULT_REDIS_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_REDIS_TIMEOUT_MS;
}

export function redisOf(env: Env): Redis | undefined {
  const url = env.UPSTASH_REDIS_REST_URL;
  const token = env.UPSTASH_REDIS_REST_TOKEN;
  if (!url || !token) return undefined;
  const timeout = redisTimeoutMs(env);
  const key = `${url}\u0000${token}\u0000${timeout}`;
  let client = clients.get(key);
  if (!client) {
    // Fail fast: no retries, and a deadline on every request.
    client = new Redis({ url, token, retry: false, automaticDeserialization: false, signal: () => AbortSignal.timeout(timeout) });
    clients.set(key, client);
  }
  return client;
}
