/**
 * Which isolates run which policy-set version: each isolate writes, per zone
 * it has loaded, a short-lived key `caracal:isolate:<zone>:<isolate>` holding
 * the versions it enforces. `caracal policy-set get` counts the keys whose
 * version is the zone's active one. Keys expire, so isolates that went away
 * stop being counted.
 */
import type { Env } from "../env.js";
import { redisOf } from "./redis.js";

const REPORT_TTL_SECONDS = 30;
const REPORT_EVERY_MS = 10_000;

let isolateId: string | undefined;

/** This isolate's own name: random, made on first use (Workers forbid random values at global scope). */
export function currentIsolateId(): string {
  return (isolateId ??= Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join(""));
}

export interface LoadedVersion {
  policySetVersion: string | null;
  shadow: string | null;
  loadedAt: string;
}

const loaded = new Map<string, LoadedVersion>();
const dirty = new Set<string>();
let lastReport = 0;

/** Called by the zone cache when it has loaded a zone's pointer. */
export function noteLoaded(zoneId: string, policySetVersion: string | null, shadow: string | null): void {
  const prev = loaded.get(zoneId);
  if (prev && prev.policySetVersion === policySetVersion && prev.shadow === shadow) return;
  loaded.set(zoneId, { policySetVersion, shadow, loadedAt: new Date().toISOString() });
  dirty.add(zoneId);
}

/** Writes what changed at once, and everything again before the keys expire. */
export async function reportLoaded(env: Env): Promise<void> {
  const redis = redisOf(env);
  if (!redis || loaded.size === 0) return;
  const refresh = Date.now() - lastReport >= REPORT_EVERY_MS;
  const zones = refresh ? [...loaded.keys()] : [...dirty];
  if (zones.length === 0) return;
  const p = redis.pipeline();
  for (const zone of zones) p.set(isolateKey(zone, currentIsolateId()), JSON.stringify(loaded.get(zone)), { ex: REPORT_TTL_SECONDS });
  await p.exec();
  for (const zone of zones) dirty.delete(zone);
  if (refresh) lastReport = Date.now();
}

export function isolateKey(zone: string, isolate: string): string {
  return `caracal:isolate:${zone}:${isolate}`;
}

/** The isolates currently reporting for a zone, with what they run. */
export async function reportingIsolates(env: Env, zone: string): Promise<Map<string, LoadedVersion> | undefined> {
  const redis = redisOf(env);
  if (!redis) return undefined;
  const keys: string[] = [];
  let cursor: string | number = 0;
  do {
    const [next, batch] = (await redis.scan(cursor, { match: isolateKey(zone, "*"), count: 1000 })) as [string | number, string[]];
    keys.push(...batch);
    cursor = next;
  } while (String(cursor) !== "0");
  const out = new Map<string, LoadedVersion>();
  if (keys.length === 0) return out;
  const values = (await redis.mget(...keys)) as (string | null)[];
  keys.forEach((k, i) => {
    const v = values[i];
    if (!v) return;
    try {
      out.set(k.slice(isolateKey(zone, "").length), JSON.parse(v) as LoadedVersion);
    } catch {
      // a value this version cannot read: not counted
    }
  });
  return out;
}
