/**
 * Every isolate reads the invalidation stream itself — never through a
 * consumer group, which would hand each message to only one reader. Reads are
 * driven by requests: at most once per INVALIDATION_POLL_MS (default 1000) a
 * request starts a non-blocking XREAD from the isolate's own last id, in the
 * background, and the zones named are marked stale in the zone cache. The
 * request itself goes on with the snapshot it already has.
 */
import type { Env } from "../env.js";
import { redisOf } from "./redis.js";
import { INVALIDATION_STREAM, parseInvalidation } from "./stream.js";
import { reportLoaded } from "./isolates.js";

const DEFAULT_POLL_MS = 1000;
const READ_COUNT = 500;

export interface InvalidationTarget {
  invalidate(zoneId: string): void;
}

export class InvalidationListener {
  /** the last stream id this isolate has seen; undefined until it found the stream's tip */
  private lastId: string | undefined;
  private nextPollAt = 0;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly target: InvalidationTarget) {}

  /** Starts a read if one is due; `waitUntil` keeps it alive after the response. */
  maybePoll(env: Env, waitUntil: (p: Promise<unknown>) => void): void {
    const redis = redisOf(env);
    const now = Date.now();
    if (!redis || this.inFlight || now < this.nextPollAt) return;
    this.nextPollAt = now + pollInterval(env);
    this.inFlight = this.poll(env).finally(() => (this.inFlight = undefined));
    waitUntil(this.inFlight);
  }

  /** One read (exported for tests that drive it directly). */
  async poll(env: Env): Promise<void> {
    const redis = redisOf(env);
    if (!redis) return;
    try {
      if (this.lastId === undefined) {
        // Start at the tip: what came before is already in D1, which a fresh isolate reads anyway.
        const tip = (await redis.xrevrange(INVALIDATION_STREAM, "+", "-", 1)) as unknown as [string, unknown[]][];
        this.lastId = tip[0]?.[0] ?? "0-0";
      } else {
        const res = (await redis.xread(INVALIDATION_STREAM, this.lastId, { count: READ_COUNT })) as
          | [string, [string, unknown[]][]][]
          | null;
        for (const [, entries] of res ?? []) {
          for (const [id, fields] of entries) {
            this.lastId = id;
            const m = parseInvalidation(fields);
            if (!m) {
              console.warn(`skipping malformed invalidation ${id}`);
              continue;
            }
            this.target.invalidate(m.zone);
          }
        }
      }
      await reportLoaded(env);
    } catch (err) {
      // Redis unavailable: the D1 poll (POLL_SECONDS) still converges this isolate.
      console.warn("invalidation stream read failed; relying on the poll", err);
    }
  }
}

function pollInterval(env: Env): number {
  const ms = Number(env.INVALIDATION_POLL_MS ?? DEFAULT_POLL_MS);
  return Number.isFinite(ms) && ms >= 0 ? ms : DEFAULT_POLL_MS;
}
