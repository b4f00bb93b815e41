/**
 * Credential invalidations on the invalidation stream (docs/architecture.md §6):
 * `XADD caracal.policy.invalidate MAXLEN ~ 10000 * kind credentials zone <zn> what client|issuer|key seq <n>`.
 * They ride the same stream as activations, so every isolate's one read sees
 * both; `seq` is the credential outbox row's id. Published from the outbox
 * right after the change commits, re-sent by the scheduled handler when Redis
 * was down — the same path activations take.
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import { credentialOutbox } from "../../schema/index.js";
import { database } from "../db.js";
import type { Env } from "../env.js";
import { redisOf } from "./redis.js";
import { INVALIDATION_STREAM, STREAM_MAXLEN } from "./stream.js";

export const CREDENTIALS_KIND = "credentials";
export const CREDENTIAL_CHANGES = ["client", "issuer", "key"] as const;
export type CredentialChange = (typeof CREDENTIAL_CHANGES)[number];

export interface CredentialsInvalidation {
  zone: string;
  what: CredentialChange;
  seq: number;
}

type OutboxRow = typeof credentialOutbox.$inferSelect;

const RESEND_BATCH = 100;

export function credentialsFields(m: CredentialsInvalidation): Record<string, string> {
  return { kind: CREDENTIALS_KIND, zone: m.zone, what: m.what, seq: String(m.seq) };
}

/** A stream entry's fields (a flat [field, value, …] list) as a credential invalidation; undefined for anything else. */
export function parseCredentialsInvalidation(fields: unknown): CredentialsInvalidation | undefined {
  if (!Array.isArray(fields) || fields.length % 2 !== 0) return undefined;
  const f = new Map<string, string>();
  for (let i = 0; i < fields.length; i += 2) f.set(String(fields[i]), String(fields[i + 1] ?? ""));
  if (f.get("kind") !== CREDENTIALS_KIND) return undefined;
  const zone = f.get("zone");
  const what = f.get("what") as CredentialChange | undefined;
  const seq = Number(f.get("seq"));
  if (!zone || !/^zn-[a-z0-9]+$/.test(zone) || !what || !CREDENTIAL_CHANGES.includes(what) || !Number.isSafeInteger(seq)) return undefined;
  return { zone, what, seq };
}

/** True when the entry is a credential message at all (even a malformed one), so the policy parser is not asked. */
export function isCredentialsEntry(fields: unknown): boolean {
  if (!Array.isArray(fields)) return false;
  for (let i = 0; i + 1 < fields.length; i += 2) if (String(fields[i]) === "kind") return String(fields[i + 1]) === CREDENTIALS_KIND;
  return false;
}

/** Writes the outbox row for a committed credential change and sends it; Redis being down only delays it. */
export async function announceCredentialsChange(env: Env, zoneId: string, what: CredentialChange): Promise<void> {
  const [row] = await database(env).insert(credentialOutbox).values({ zoneId, what, createdAt: new Date().toISOString() }).returning();
  if (row) await publishCredentialsRow(env, row);
}

async function publishCredentialsRow(env: Env, row: OutboxRow): Promise<boolean> {
  const redis = redisOf(env);
  if (!redis) return false;
  try {
    await redis.xadd(INVALIDATION_STREAM, "*", credentialsFields({ zone: row.zoneId, what: row.what as CredentialChange, seq: row.id }), {
      trim: { type: "MAXLEN", comparison: "~", threshold: STREAM_MAXLEN },
    });
  } catch (err) {
    console.error(`credential invalidation for zone ${row.zoneId} (#${row.id}) not sent; the scheduled re-send will retry`, err);
    return false;
  }
  await database(env)
    .update(credentialOutbox)
    .set({ dispatchedAt: new Date().toISOString() })
    .where(and(eq(credentialOutbox.id, row.id), isNull(credentialOutbox.dispatchedAt)));
  return true;
}

/** The scheduled handler's share: every undispatched credential row, oldest first. */
export async function resendPendingCredentials(env: Env): Promise<{ sent: number; pending: number }> {
  if (!redisOf(env)) return { sent: 0, pending: 0 };
  const rows = await database(env)
    .select()
    .from(credentialOutbox)
    .where(isNull(credentialOutbox.dispatchedAt))
    .orderBy(asc(credentialOutbox.id))
    .limit(RESEND_BATCH);
  let sent = 0;
  for (const row of rows) {
    if (!(await publishCredentialsRow(env, row))) break;
    sent++;
  }
  return { sent, pending: rows.length - sent };
}
