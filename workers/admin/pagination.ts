/**
 * Cursor pagination in creation order (or its reverse, for "latest first"
 * views such as the audit tail). The cursor is opaque to clients: the
 * (created_at, id) of the last item, base64url-encoded; ties on created_at are
 * broken by id, so pages neither skip nor repeat rows.
 */
import { and, asc, desc, eq, gt, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { badRequest } from "../http/problem.js";

interface Position {
  createdAt: string;
  id: string;
}

interface OrderColumns {
  createdAt: SQLiteColumn;
  id: SQLiteColumn;
}

export type PageDirection = "asc" | "desc";

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

function encodeCursor(p: Position): string {
  return btoa(JSON.stringify([p.createdAt, p.id]))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function decodeCursor(cursor: string): Position {
  try {
    const [createdAt, id] = JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/"))) as unknown[];
    if (typeof createdAt === "string" && typeof id === "string") return { createdAt, id };
  } catch {
    // fall through: any undecodable cursor gets the same answer
  }
  throw badRequest("invalid cursor: pass back the next_cursor of a previous page");
}

/** WHERE condition for rows after the cursor in the page direction (undefined on the first page). */
export function afterCursor(cols: OrderColumns, cursor: string | undefined, direction: PageDirection = "asc"): SQL | undefined {
  if (cursor === undefined) return undefined;
  const p = decodeCursor(cursor);
  const beyond = direction === "asc" ? gt : lt;
  return or(beyond(cols.createdAt, p.createdAt), and(eq(cols.createdAt, p.createdAt), beyond(cols.id, p.id)));
}

export function pageOrder(cols: OrderColumns, direction: PageDirection = "asc"): SQL[] {
  const order = direction === "asc" ? asc : desc;
  return [order(cols.createdAt), order(cols.id)];
}

/**
 * Rows were fetched with `limit + 1`: the extra row only says whether there is a next page.
 * `positionOf` names a row's ordering columns when they are not `createdAt` and `id`.
 */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  view: (row: R) => T,
  positionOf: (row: R) => Position = (row) => row as Position,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(view), next_cursor: rows.length > limit && last ? encodeCursor(positionOf(last)) : null };
}
