/**
 * The audit buffer (docs/architecture.md §7): a Durable Object with SQLite
 * storage, one per zone, that takes a request's audit events before the
 * token endpoint answers and moves them to D1 in batches from an alarm.
 *
 * Durable on acknowledge: `append` writes the rows to the object's SQLite
 * storage, and the object's output gate holds its reply until that write is
 * confirmed, so when the exchange sees `append` return the events are stored;
 * if it throws, the exchange issues no token (503). The drain is idempotent:
 * the event id is the primary key both here and in D1, D1 inserts ignore ids
 * it already has, and rows leave the buffer only after D1 committed them, so
 * a drain cut short repeats without duplicates. Admin reads (audit list,
 * explain) call `flush` first, so they see every event appended before them.
 */
import { DurableObject } from "cloudflare:workers";
import { auditEvents } from "../../schema/index.js";
import { database } from "../db.js";
import type { Env } from "../env.js";

export type AuditRow = typeof auditEvents.$inferInsert;

/** How long events wait for companions before the first drain: explain and the list see them within about a second anyway. */
const DRAIN_DELAY_MS = 500;
/** Events per D1 batch, one round trip. */
const DRAIN_BATCH = 100;
/** Events per INSERT: an event binds 23 values and D1 binds at most 100 per statement. */
const ROWS_PER_INSERT = 4;
const RETRY_MS = 5000;

export class AuditBuffer extends DurableObject<Env> {
  /** an alarm is set (known in memory, so appends skip the storage round trip of asking) */
  private alarmSet = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS pending (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, row TEXT NOT NULL)",
    );
  }

  /** Stores the events; returns once they are durable. A repeated id is kept once. */
  async append(rows: AuditRow[]): Promise<void> {
    for (const row of rows) this.ctx.storage.sql.exec("INSERT OR IGNORE INTO pending (id, row) VALUES (?, ?)", row.id, JSON.stringify(row));
    if (this.alarmSet) return;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + DRAIN_DELAY_MS);
    this.alarmSet = true;
  }

  /** Moves every pending event to D1 now; how many it moved. */
  async flush(): Promise<number> {
    let moved = 0;
    for (;;) {
      const batch = this.ctx.storage.sql
        .exec<{ id: string; row: string }>("SELECT id, row FROM pending ORDER BY seq LIMIT ?", DRAIN_BATCH)
        .toArray();
      if (batch.length === 0) return moved;
      const rows = batch.map((b) => JSON.parse(b.row) as AuditRow);
      const db = database(this.env);
      const inserts = [];
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT)
        inserts.push(
          db
            .insert(auditEvents)
            .values(rows.slice(i, i + ROWS_PER_INSERT))
            .onConflictDoNothing(),
        );
      const [first, ...rest] = inserts;
      if (first) await db.batch([first, ...rest]);
      const ids = batch.map((b) => b.id);
      this.ctx.storage.sql.exec(`DELETE FROM pending WHERE id IN (${ids.map(() => "?").join(",")})`, ...ids);
      moved += batch.length;
    }
  }

  /** Events not yet in D1. */
  async pendingCount(): Promise<number> {
    return this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM pending").one().n;
  }

  override async alarm(): Promise<void> {
    // Events appended from now on need another alarm.
    this.alarmSet = false;
    try {
      await this.flush();
    } catch (err) {
      // D1 unavailable: the events stay here and the drain tries again.
      console.error("draining the audit buffer to D1 failed; retrying", err);
      await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
      this.alarmSet = true;
    }
  }
}

/** Which buffer a zone's events go to: one object per zone. */
export function auditBufferOf(env: Env, zoneId: string): DurableObjectStub<AuditBuffer> {
  // wrangler.toml binds AUDIT_BUFFER to this class; env.ts leaves it untyped so it imports nothing above it.
  const namespace = env.AUDIT_BUFFER as unknown as DurableObjectNamespace<AuditBuffer>;
  return namespace.get(namespace.idFromName(zoneId));
}

/** For admin reads: moves the zone's pending events to D1 first; a failure is logged and the read goes on. */
export async function flushAuditBuffer(env: Env, zoneId: string): Promise<void> {
  try {
    await auditBufferOf(env, zoneId).flush();
  } catch (err) {
    console.warn(`flushing zone ${zoneId}'s audit buffer failed; reading D1 as it is`, err);
  }
}
