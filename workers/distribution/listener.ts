/**
 * Every isolate reads the invalidation stream itself — never through a
 * consumer group, which would hand each message to only one reader. Reads are
 * driven by requests: at most once per INVALIDATION_POLL_MS (default 1000) a
 * request starts a non-blocking XREAD from the isolate's own last id, in the
 * background, and the zones named are marked stale in the zone cache. The
 * request itself goes on with the snapshot it already has.
 *
 * Within a colo the isolates share one read through the Cache API
 * (shared-tip.ts): they look at the colo's copy every SHARED_CHECK_MS and only
 * the first to find it stale reads Redis. Where the Cache API keeps nothing
 * they read the stream themselves, every INVALIDATION_POLL_MS. The same
 * stream carries credential messages (credentials-stream.ts).
 */
import type { Env } from "../env.js";
import { redisOf } from "./redis.js";
import { INVALIDATION_STREAM, parseInvalidation } from "./stream.js";
import { reportLoaded } from "./isolates.js";
import { isCredentialsEntry, parseCredentialsInvalidation, type CredentialChange } from "./credentials-stream.js";
import { compareIds, newerThan, SharedStreamReader, type StreamEntry } from "./shared-tip.js";
import { noteStreamHeard } from "./stream-health.js";

const DEFAULT_POLL_MS = 1000;
const READ_COUNT = 500;
/** How often an isolate looks at its colo's shared copy (a local cache read, no Redis command). */
const SHARED_CHECK_MS = 250;

export interface InvalidationTarget {
  invalidate(zoneId: string): void;
  /** a credential message for the zone (clients, issuers or keys changed) */
  invalidateCredentials?(zoneId: string, what: CredentialChange): void;
  /** messages may have been missed: drop everything cached */
  invalidateAll?(): void;
}

export class InvalidationListener {
  /** the last stream id this isolate has seen; undefined until it found the stream's tip */
  private lastId: string | undefined;
  private nextPollAt = 0;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly target: InvalidationTarget,
    readonly shared = new SharedStreamReader(),
  ) {}

  /** Starts a read if one is due; `waitUntil` keeps it alive after the response. */
  maybePoll(env: Env, waitUntil: (p: Promise<unknown>) => void): void {
    const redis = redisOf(env);
    const now = Date.now();
    if (!redis || this.inFlight || now < this.nextPollAt) return;
    this.nextPollAt = now + (this.shared.usable() ? Math.min(SHARED_CHECK_MS, pollInterval(env)) : pollInterval(env));
    this.inFlight = this.poll(env).finally(() => (this.inFlight = undefined));
    waitUntil(this.inFlight);
  }

  /** One read (exported for tests that drive it directly). */
  async poll(env: Env): Promise<void> {
    const redis = redisOf(env);
    if (!redis) return;
    try {
      if (this.shared.usable()) {
        const window = await this.shared.read(env, redis);
        if (this.lastId === undefined) {
          this.lastId = window.tip;
        } else {
          const { entries, gap } = newerThan(window, this.lastId);
          if (gap) {
            console.warn("more invalidations than the shared window holds since this isolate's last read; dropping every cache");
            this.target.invalidateAll?.();
          }
          this.apply(entries);
          // A copy read before this isolate's own last read must not move it back.
          if (compareIds(window.tip, this.lastId) > 0) this.lastId = window.tip;
        }
      } else if (this.lastId === undefined) {
        // Start at the tip: what came before is already in D1, which a fresh isolate reads anyway.
        const tip = (await redis.xrevrange(INVALIDATION_STREAM, "+", "-", 1)) as unknown as [string, unknown[]][];
        this.lastId = tip[0]?.[0] ?? "0-0";
      } else {
        const res = (await redis.xread(INVALIDATION_STREAM, this.lastId, { count: READ_COUNT })) as
          | [string, [string, unknown[]][]][]
          | null;
        for (const [, entries] of res ?? []) this.apply(entries);
      }
      noteStreamHeard();
      await reportLoaded(env);
    } catch (err) {
      // Redis unavailable: the D1 poll (POLL_SECONDS) still converges this isolate.
      console.warn("invalidation stream read failed; relying on the poll", err);
    }
  }

  private apply(entries: StreamEntry[]): void {
    for (const [id, fields] of entries) {
      this.lastId = id;
      if (isCredentialsEntry(fields)) {
        const c = parseCredentialsInvalidation(fields);
        if (c) this.target.invalidateCredentials?.(c.zone, c.what);
        else console.warn(`skipping malformed credential invalidation ${id}`);
        continue;
      }
      const m = parseInvalidation(fields);
      if (!m) {
        console.warn(`skipping malformed invalidation ${id}`);
        continue;
      }
      this.target.invalidate(m.zone);
    }
  }
}

function pollInterval(env: Env): number {
  const ms = Number(env.INVALIDATION_POLL_MS ?? DEFAULT_POLL_MS);
  return Number.isFinite(ms) && ms >= 0 ? ms : DEFAULT_POLL_MS;
}
