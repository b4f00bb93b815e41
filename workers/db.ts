/**
 * D1 access shared by every layer of the Worker (admin API, STS, distribution): drizzle over the
 * DB binding and the lookups they all need. Admin-only queries (pages) live in admin/.
 */
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { zones } from "../schema/index.js";
import type { Env } from "./env.js";
import { notFound } from "./http/problem.js";
import { guardD1 } from "./storage.js";

export type Db = ReturnType<typeof database>;

/** Drizzle over the DB binding; a D1 failure surfaces as StorageUnavailableError (→ 503, see storage.ts). */
export function database(env: Env) {
  return drizzle(guardD1(env.DB));
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** Batched with a route's own reads so an unknown zone costs no extra round trip. */
export function zoneLookup(db: Db, zoneId: string) {
  return db.select({ id: zones.id }).from(zones).where(eq(zones.id, zoneId));
}

/** The single row a lookup found, or 404 naming what was looked for. */
export function found<T>(rows: T[], what: string): T {
  const row = rows[0];
  if (row === undefined) throw notFound(what);
  return row;
}
