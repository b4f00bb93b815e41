/**
 * One stream read per colo instead of one per isolate (docs/architecture.md §6):
 * the latest entries of the invalidation stream are kept in the colo's Cache
 * API for STREAM_SHARE_MS (default 500). An isolate that wants to know what is
 * new reads the cache; the first one to find the copy missing or older than
 * that reads Upstash (one XREVRANGE of the newest WINDOW entries) and puts its
 * answer back for the others. Redis load then grows with colos, not isolates.
 *
 * The Cache API has no compare-and-set, so two isolates can both find the copy
 * stale and both read Redis. To keep that window short, the first one puts the
 * stale copy back with a lease (`leaseUntil`, LEASE_MS ahead, and its own
 * random `leaseBy`) before it reads: others that see the lease use the stale
 * copy meanwhile (at most LEASE_MS older than usual) instead of reading Redis
 * too. Two that found it stale in the same cache round trip both put a lease;
 * each then looks again and only the one whose lease the cache kept reads
 * Redis (the last put wins), so a double read needs one isolate's whole
 * claim to fall inside the other's. And each look draws its own
 * staleness threshold between 60% and 100% of STREAM_SHARE_MS, so the
 * isolates of a colo do not all find the copy stale in the same instant: one
 * refreshes it a little early and the others find it fresh.
 *
 * The copy is a window, not a log: an isolate whose last seen id is older than
 * the window's oldest entry (it was idle through more than WINDOW messages)
 * cannot tell what it missed and drops everything it caches (`gap`).
 *
 * Where the Cache API keeps nothing (workers.dev, or no `caches` at all), an
 * isolate notices that its own fresh copy is not found again, MISSES_TO_GIVE_UP
 * times in a row (one miss can be a put racing a match), and reads the stream
 * itself from then on (`usable()` turns false), as before this module.
 */
import type { Redis } from "@upstash/redis/cloudflare";
import type { Env } from "../env.js";
import { INVALIDATION_STREAM } from "./stream.js";

export const DEFAULT_SHARE_MS = 500;
/** Entries kept in the shared copy: an isolate that polls at least every share interval misses none unless more arrive meanwhile. */
export const WINDOW = 200;
const LEASE_MS = 150;
const MISSES_TO_GIVE_UP = 3;
/** Any URL works as a cache key; this host is never fetched. */
const CACHE_KEY = `https://stream.caracal.internal/v1/${INVALIDATION_STREAM}`;

export type StreamEntry = [id: string, fields: unknown[]];

export interface StreamWindow {
  /** Date.now() when it was read from Redis */
  readAt: number;
  /** the newest entry's id ("0-0" for an empty stream) */
  tip: string;
  /** newest last */
  entries: StreamEntry[];
  /** an isolate is reading Redis for a fresher copy until then */
  leaseUntil?: number;
  /** which isolate's claim that lease is (a random token per claim) */
  leaseBy?: string;
}

export function shareMs(env: Env): number {
  const ms = Number(env.STREAM_SHARE_MS ?? DEFAULT_SHARE_MS);
  return Number.isFinite(ms) && ms >= 0 ? ms : DEFAULT_SHARE_MS;
}

/** Stream ids "ms-seq" in order. */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am !== bm ? am - bm : as - bs;
}

/** The entries after `lastId`, and whether some may have fallen out of the window before it. */
export function newerThan(window: StreamWindow, lastId: string): { entries: StreamEntry[]; gap: boolean } {
  const entries = window.entries.filter(([id]) => compareIds(id, lastId) > 0);
  const oldest = window.entries[0]?.[0];
  const gap = window.entries.length >= WINDOW && oldest !== undefined && compareIds(oldest, lastId) > 0;
  return { entries, gap };
}

function defaultCache(): Cache | undefined {
  return typeof caches === "undefined" ? undefined : (caches as unknown as { default?: Cache }).default;
}

export class SharedStreamReader {
  /** false once the Cache API proved not to keep what this isolate put */
  private cacheWorks = true;
  private lastPut: { at: number; readAt: number } | undefined;
  private ownCopyMisses = 0;
  /** reads this isolate made from Redis / from the colo's copy (for tests and benchmarks) */
  readonly counts = { redis: 0, cache: 0 };

  constructor(private readonly cache: () => Cache | undefined = defaultCache) {}

  usable(): boolean {
    return this.cacheWorks && this.cache() !== undefined;
  }

  /** A window at most STREAM_SHARE_MS old: the colo's copy, or a fresh Redis read that becomes it. */
  async read(env: Env, redis: Redis): Promise<StreamWindow> {
    const cache = this.cache();
    const share = shareMs(env);
    if (cache && this.cacheWorks) {
      const copy = await this.cached(cache);
      const now = Date.now();
      const staleAfter = share * (0.6 + 0.4 * Math.random());
      // A lease only bridges one refresh: when Redis is down no refresh lands, and the copy must age out.
      const leased = (copy?.leaseUntil ?? 0) > now && now - (copy?.readAt ?? 0) < share + 2 * LEASE_MS;
      if (copy && (now - copy.readAt < staleAfter || leased)) {
        this.counts.cache++;
        return copy;
      }
      // Our own copy should still be there: the cache keeps nothing here.
      if (!copy && this.lastPut && now - this.lastPut.at < share) {
        if (++this.ownCopyMisses >= MISSES_TO_GIVE_UP) this.cacheWorks = false;
      } else if (copy) {
        this.ownCopyMisses = 0;
      }
      if (copy) {
        const claimed = await this.claim(cache, copy, now, share);
        if (claimed !== true) {
          this.counts.cache++;
          return claimed;
        }
      }
    }
    const window = await readWindow(redis);
    this.counts.redis++;
    if (cache && this.cacheWorks) {
      try {
        await this.put(cache, window, share);
        this.lastPut = { at: Date.now(), readAt: window.readAt };
      } catch (err) {
        // One failed put may be a race with another isolate's; only a run of them means no cache.
        if (++this.ownCopyMisses >= MISSES_TO_GIVE_UP) {
          console.warn("caching the stream window keeps failing; reading the stream per isolate", err);
          this.cacheWorks = false;
        }
      }
    }
    return window;
  }

  /** Puts a lease on the stale copy; true when this isolate's lease is the one the cache kept, else the copy to use meanwhile. */
  private async claim(cache: Cache, stale: StreamWindow, now: number, share: number): Promise<true | StreamWindow> {
    const leaseBy = crypto.randomUUID();
    try {
      await this.put(cache, { ...stale, leaseUntil: now + LEASE_MS, leaseBy }, share);
    } catch {
      return true;
    }
    const kept = await this.cached(cache);
    // Another isolate's lease (or a fresher copy) landed after ours: it reads Redis, we use what is there.
    if (kept && kept.leaseBy !== leaseBy && (kept.leaseBy !== undefined || kept.readAt > stale.readAt)) return kept;
    return true;
  }

  private put(cache: Cache, window: StreamWindow, share: number): Promise<void> {
    // max-age is whole seconds; freshness is judged by readAt against STREAM_SHARE_MS.
    const ttl = Math.max(1, Math.ceil((share * 2) / 1000));
    const headers = { "content-type": "application/json", "cache-control": `max-age=${ttl}` };
    return cache.put(CACHE_KEY, new Response(JSON.stringify(window), { headers }));
  }

  private async cached(cache: Cache): Promise<StreamWindow | undefined> {
    try {
      const res = await cache.match(CACHE_KEY);
      if (!res) return undefined;
      const window = (await res.json()) as StreamWindow;
      return typeof window?.readAt === "number" && typeof window.tip === "string" && Array.isArray(window.entries) ? window : undefined;
    } catch {
      return undefined;
    }
  }
}

async function readWindow(redis: Redis): Promise<StreamWindow> {
  const readAt = Date.now();
  const newestFirst = (await redis.xrevrange(INVALIDATION_STREAM, "+", "-", WINDOW)) as unknown as StreamEntry[];
  const entries = [...(Array.isArray(newestFirst) ? newestFirst : [])].reverse();
  return { readAt, tip: entries.at(-1)?.[0] ?? "0-0", entries };
}
