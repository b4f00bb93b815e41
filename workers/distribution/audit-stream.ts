/**
 * Audit events on a Redis stream, `caracal.audit` (capped like the
 * invalidation stream), for consumers that follow decisions live. D1 stays
 * the record: an append that fails is logged and dropped.
 */
import type { auditEvents } from "../../schema/index.js";
import type { Env } from "../env.js";
import { redisOf } from "./redis.js";
import { STREAM_MAXLEN } from "./stream.js";

export const AUDIT_STREAM = "caracal.audit";

export async function appendToAuditStream(env: Env, rows: (typeof auditEvents.$inferInsert)[]): Promise<void> {
  const redis = redisOf(env);
  if (!redis) return;
  try {
    const p = redis.pipeline();
    for (const row of rows)
      p.xadd(
        AUDIT_STREAM,
        "*",
        { zone: row.zoneId, request_id: row.requestId, event: JSON.stringify(row) },
        { trim: { type: "MAXLEN", comparison: "~", threshold: STREAM_MAXLEN } },
      );
    await p.exec();
  } catch (err) {
    // The error names the command, which holds the whole event: keep the log line short.
    console.warn(`audit stream append failed (the event is in D1): ${String(err).slice(0, 160)}`);
  }
}
