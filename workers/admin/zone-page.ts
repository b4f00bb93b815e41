/** The admin lists' shared query: one page of a zone-owned table, with the zone checked in the same round trip. */
import { and, eq } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { database, found, zoneLookup } from "../db.js";
import type { Env } from "../env.js";
import { afterCursor, pageOrder, toPage, type Page } from "./pagination.js";

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
