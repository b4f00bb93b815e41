/**
 * Credentials cached per isolate beside the zone snapshot (docs/architecture.md
 * §6): per zone, its clients (looked up one by one, on first use), its trusted
 * issuers and its own signing keys (the public half; private keys are cached
 * by kid in keys.ts). In the steady state an exchange reads none of them from
 * D1.
 *
 * Freshness: a change (client create/disable/rotate-secret, issuer add/remove,
 * key rotation) drops the zone's entry in the isolate that made it at once and
 * in every other isolate when the invalidation stream brings the credential
 * message (within a second). While the stream is heard, an entry is also
 * re-read every POLL_SECONDS (the policy safety net); when it is not (no
 * Redis, Redis down, an idle isolate) every CREDENTIALS_POLL_SECONDS (default
 * 5). An unknown client id is remembered as unknown for the same time (a
 * client create drops it like any change), so repeating it costs no D1 query;
 * ids that are not `cl-…` never reach D1, and new ids looked up cold are capped
 * per isolate (MAX_COLD_LOOKUPS_PER_SECOND, then 503), so a spray of random ids
 * cannot turn into a D1 query per request.
 *
 * Like the zone cache it holds settled values only, never in-flight promises
 * (workerd can hang a promise awaited across requests).
 */
import { and, eq } from "drizzle-orm";
import { clients, trustedIssuers } from "../../schema/index.js";
import { database } from "../db.js";
import type { Env } from "../env.js";
import { announceCredentialsChange, type CredentialChange } from "../distribution/credentials-stream.js";
import { streamHeard } from "../distribution/stream-health.js";
import type { ClientRow } from "./client-auth.js";
import type { TrustedIssuerRow } from "./issuer-keys.js";
import { zoneKeyRows, type SigningKeyRow } from "./keys.js";
import { OAuthError } from "./oauth-error.js";
import { DEFAULT_POLL_SECONDS, zoneCache } from "./zone-cache.js";

export const DEFAULT_CREDENTIALS_POLL_SECONDS = 5;
const MAX_CLIENTS_PER_ZONE = 10_000;
const MAX_ZONES = 1_000;
const MAX_COLD_LOOKUPS_PER_SECOND = 50;
/** Client ids are `cl-` and a lowercase random suffix (workers/ids.ts); anything else cannot exist. */
const CLIENT_ID = /^cl-[a-z0-9]{1,64}$/;

export interface ZoneCredentials {
  /** the client the request names, or undefined when the zone has no such client */
  client: ClientRow | undefined;
  issuers: TrustedIssuerRow[];
  /** the zone's signing keys, oldest first */
  ownKeys: SigningKeyRow[];
}

interface ClientEntry {
  row: ClientRow | null;
  checkedAt: number;
}

interface ZoneEntry {
  issuers: TrustedIssuerRow[];
  ownKeys: SigningKeyRow[];
  checkedAt: number;
  clients: Map<string, ClientEntry>;
}

export class CredentialsCache {
  private readonly zones = new Map<string, ZoneEntry>();
  private coldWindowStart = 0;
  private coldLookups = 0;

  /** The zone's trust material and the named client: from memory when fresh, else one D1 round trip. */
  async lookup(env: Env, zoneId: string, clientId: string): Promise<ZoneCredentials> {
    const now = Date.now();
    const ttl = ttlMs(env);
    let zone = this.zones.get(zoneId);
    if (zone && now - zone.checkedAt >= ttl) zone = undefined;
    const known = zone?.clients.get(clientId);
    const client = known && now - known.checkedAt < ttl ? known : undefined;
    if (zone && client) return { client: client.row ?? undefined, issuers: zone.issuers, ownKeys: zone.ownKeys };
    if (!CLIENT_ID.test(clientId)) {
      if (zone) return { client: undefined, issuers: zone.issuers, ownKeys: zone.ownKeys };
      return this.load(env, zoneId, null, now);
    }
    if (zone && !known) this.spendColdLookup(now);
    return this.load(env, zoneId, clientId, now, zone);
  }

  /** Drops what this isolate knows of the zone's credentials: the next exchange reads them again. */
  invalidate(zoneId: string): void {
    this.zones.delete(zoneId);
  }

  invalidateAll(): void {
    this.zones.clear();
  }

  private spendColdLookup(now: number): void {
    if (now - this.coldWindowStart >= 1000) {
      this.coldWindowStart = now;
      this.coldLookups = 0;
    }
    if (++this.coldLookups > MAX_COLD_LOOKUPS_PER_SECOND) {
      throw new OAuthError("temporarily_unavailable", "too many unknown clients at once; retry later");
    }
  }

  private async load(env: Env, zoneId: string, clientId: string | null, now: number, fresh?: ZoneEntry): Promise<ZoneCredentials> {
    const db = database(env);
    const clientQuery = db
      .select()
      .from(clients)
      .where(and(eq(clients.id, clientId ?? ""), eq(clients.zoneId, zoneId)));
    let zone = fresh;
    let row: ClientRow | undefined;
    if (zone) {
      row = (await clientQuery)[0];
    } else {
      const [clientRows, issuerRows, keyRows] = await db.batch([
        clientQuery,
        db.select().from(trustedIssuers).where(eq(trustedIssuers.zoneId, zoneId)),
        zoneKeyRows(db, zoneId),
      ]);
      row = clientRows[0];
      zone = { issuers: issuerRows, ownKeys: keyRows, checkedAt: now, clients: new Map() };
      if (this.zones.size >= MAX_ZONES && !this.zones.has(zoneId)) this.zones.delete(this.zones.keys().next().value as string);
      this.zones.set(zoneId, zone);
    }
    if (clientId !== null) {
      if (zone.clients.size >= MAX_CLIENTS_PER_ZONE) zone.clients.delete(zone.clients.keys().next().value as string);
      zone.clients.delete(clientId);
      zone.clients.set(clientId, { row: row ?? null, checkedAt: now });
    }
    return { client: row, issuers: zone.issuers, ownKeys: zone.ownKeys };
  }
}

/** The isolate's cache: module state lives as long as the isolate. */
export const credentialsCache = new CredentialsCache();

/** What a credential message (from the stream, or this isolate's own change) drops. */
export function dropCredentials(zoneId: string, what: CredentialChange): void {
  credentialsCache.invalidate(zoneId);
  // The snapshot carries the current signing key id.
  if (what === "key") zoneCache.invalidate(zoneId);
}

/**
 * Called by admin routes after a credential change committed: drops this
 * isolate's copy at once and announces the change to every other isolate.
 */
export async function credentialsChanged(env: Env, zoneId: string, what: CredentialChange): Promise<void> {
  dropCredentials(zoneId, what);
  await announceCredentialsChange(env, zoneId, what);
}

function seconds(value: string | undefined, fallback: number): number {
  const n = Number(value ?? fallback);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

function ttlMs(env: Env): number {
  const short = seconds(env.CREDENTIALS_POLL_SECONDS, DEFAULT_CREDENTIALS_POLL_SECONDS);
  const long = Math.max(short, seconds(env.POLL_SECONDS, DEFAULT_POLL_SECONDS));
  return (streamHeard(env) ? long : short) * 1000;
}
