/**
 * Publishing activations: the outbox row written in the activation's D1 batch
 * is sent to the stream right after the commit and marked dispatched; rows
 * that could not be sent (Redis down, or slower than REDIS_TIMEOUT_MS) are
 * re-sent by the scheduled handler, so an outage delays an invalidation but
 * never loses it, and never holds the activation's answer.
 */
import { asc, eq, isNull, and } from "drizzle-orm";
import { invalidationOutbox } from "../../schema/index.js";
import { database } from "../db.js";
import type { Env } from "../env.js";
import { redisOf } from "./redis.js";
import { INVALIDATION_STREAM, STREAM_MAXLEN, invalidationFields } from "./stream.js";

type OutboxRow = typeof invalidationOutbox.$inferSelect;

const RESEND_BATCH = 100;

/** Sends one outbox row; true when it reached the stream (and is marked dispatched). */
export async function publishOutboxRow(env: Env, row: OutboxRow): Promise<boolean> {
  const redis = redisOf(env);
  if (!redis) return false;
  try {
    await redis.xadd(
      INVALIDATION_STREAM,
      "*",
      invalidationFields({
        zone: row.zoneId,
        policySetVersion: row.policySetVersionId,
        shadow: row.shadowPolicySetVersionId ?? "",
        seq: row.seq,
      }),
      { trim: { type: "MAXLEN", comparison: "~", threshold: STREAM_MAXLEN } },
    );
  } catch (err) {
    console.error(`invalidation for zone ${row.zoneId} (seq ${row.seq}) not sent; the scheduled re-send will retry`, err);
    return false;
  }
  try {
    await database(env)
      .update(invalidationOutbox)
      .set({ dispatchedAt: new Date().toISOString() })
      .where(and(eq(invalidationOutbox.id, row.id), isNull(invalidationOutbox.dispatchedAt)));
  } catch (err) {
    // Sent, but still pending in D1: the re-send sends it once more, which listeners tolerate (a reload).
    console.error(`invalidation for zone ${row.zoneId} (seq ${row.seq}) sent but not marked dispatched`, err);
  }
  return true;
}

/** The scheduled handler's work: re-send every undispatched row, oldest first. */
export async function resendPending(env: Env): Promise<{ sent: number; pending: number }> {
  if (!redisOf(env)) return { sent: 0, pending: 0 };
  const rows = await database(env)
    .select()
    .from(invalidationOutbox)
    .where(isNull(invalidationOutbox.dispatchedAt))
    .orderBy(asc(invalidationOutbox.id))
    .limit(RESEND_BATCH);
  let sent = 0;
  for (const row of rows) {
    if (!(await publishOutboxRow(env, row))) break;
    sent++;
  }
  return { sent, pending: rows.length - sent };
}
