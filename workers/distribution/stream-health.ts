/**
 * Whether this isolate is hearing the invalidation stream: the listener notes
 * each read that succeeded (from Redis or from the colo's shared copy). Caches
 * that rely on the stream to learn of changes (credentials) trust their
 * entries longer while it is heard, and fall back to their short safety-net
 * poll when it is not — Redis down, not configured, or this isolate idle.
 */
import type { Env } from "../env.js";
import { redisOf } from "./redis.js";

/** A few read intervals: one slow or failed read does not count as losing the stream. */
const HEARD_WITHIN_MS = 3000;

let lastHeardAt = Number.NEGATIVE_INFINITY;

export function noteStreamHeard(): void {
  lastHeardAt = Date.now();
}

export function streamHeard(env: Env): boolean {
  return redisOf(env) !== undefined && Date.now() - lastHeardAt < HEARD_WITHIN_MS;
}
