/** D1 access for the admin routes: drizzle over the DB binding, and the queries every route shares. */
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { zones } from "../../schema/index.js";
import type { Env } from "../env.js";
import { notFound } from "../http/problem.js";
import { afterCursor, pageOrder, toPage, type Page } from "./pagination.js";

export type Db = ReturnType<typeof database>;

export function database(env: Env) {
  return drizzle(env.DB);
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

/** A zone-owned table listed in creation order. */
type ZoneOwnedTable = SQLiteTable & { zoneId: SQLiteColumn; createdAt: SQLiteColumn; id: SQLiteColumn };

/**
 * One page of a zone's rows (clients, issuers, policies, policy sets) in
 * creation order, and the zone's existence checked in the same round trip:
 * an unknown zone is a 404, never an empty page.
 */
export async function zonePage<T extends ZoneOwnedTable, V>(
  env: Env,
  zoneId: string,
  table: T,
  query: { limit: number; cursor?: string | undefined },
  view: (row: T["$inferSelect"]) => V,
): Promise<Page<V>> {
  const db = database(env);
  const [zoneRows, rows] = await db.batch([
    zoneLookup(db, zoneId),
    db
      .select()
      .from(table as SQLiteTable)
      .where(and(eq(table.zoneId, zoneId), afterCursor(table, query.cursor)))
      .orderBy(...pageOrder(table))
      .limit(query.limit + 1),
  ]);
  found(zoneRows, "zone");
  return toPage(rows as T["$inferSelect"][], query.limit, view);
}
