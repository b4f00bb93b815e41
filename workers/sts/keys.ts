/**
 * Per-zone ES256 signing keys. A zone's first key is made on first use; a
 * rotation adds the next generation, which signs from then on. Private keys
 * are stored PKCS#8, AES-GCM encrypted with the Worker secret
 * CARACAL_KEY_ENCRYPTION_KEY; the zone and kid are the associated data, so a
 * ciphertext cannot be moved to another row. A retired key stays in the JWKS
 * for the zone's maximum token lifetime plus an hour after its successor was
 * made: every token it signed expires before it disappears, even one signed
 * by an isolate that had not yet seen the rotation or a verifier that cached
 * the JWKS.
 *
 * Rotating the key-encryption key: set the new one as
 * CARACAL_KEY_ENCRYPTION_KEY and the old one as
 * CARACAL_KEY_ENCRYPTION_KEY_PREVIOUS, then `caracal zone rotate-key` each
 * zone (new keys are sealed with the new one); keys sealed with the old one
 * still open until PREVIOUS is removed, after the retired keys' grace period.
 */
import { and, asc, desc, eq } from "drizzle-orm";
import { zones, zoneSigningKeys } from "../../schema/index.js";
import { database, nowIso, type Db } from "../db.js";
import { base64Decode, base64UrlEncode, randomBytes } from "../crypto.js";
import type { Env } from "../env.js";

export const SIGNING_ALG = "ES256";
const EC_PARAMS = { name: "ECDSA", namedCurve: "P-256" } as const;
/** Beyond the maximum token lifetime: covers verifiers' JWKS caches and isolates that rotate late. */
export const RETIRED_KEY_GRACE_SECONDS = 3600;
const CIPHERTEXT_VERSION = "v1";

export type SigningKeyRow = typeof zoneSigningKeys.$inferSelect;
export type PublicJwk = SigningKeyRow["publicJwk"];

/** The key-encryption key is missing or malformed: signing is impossible, so token requests answer 503. */
export class SigningUnavailableError extends Error {
  override name = "SigningUnavailableError";
}

/*
 * Isolate caches hold settled values only: in workerd, a promise started by
 * one request and awaited by another can hang once the first request ends.
 */
type KekSecret = "CARACAL_KEY_ENCRYPTION_KEY" | "CARACAL_KEY_ENCRYPTION_KEY_PREVIOUS";
const kekCache = new Map<KekSecret, { source: string; key: CryptoKey }>();

async function keyEncryptionKey(env: Env, secret: KekSecret = "CARACAL_KEY_ENCRYPTION_KEY"): Promise<CryptoKey> {
  const source = env[secret];
  if (!source) throw new SigningUnavailableError(`the Worker secret ${secret} is not set`);
  const cached = kekCache.get(secret);
  if (cached?.source === source) return cached.key;
  let raw: Uint8Array;
  try {
    raw = base64Decode(source);
  } catch {
    throw new SigningUnavailableError(`${secret} is not base64`);
  }
  if (raw.length !== 32) throw new SigningUnavailableError(`${secret} must be 32 bytes (base64)`);
  const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
  kekCache.set(secret, { source, key });
  return key;
}

const associatedData = (zoneId: string, kid: string) => new TextEncoder().encode(`caracal-signing-key:${zoneId}:${kid}`);

async function encryptPrivateKey(env: Env, zoneId: string, kid: string, pkcs8: ArrayBuffer): Promise<string> {
  const iv = randomBytes(12);
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: associatedData(zoneId, kid) },
    await keyEncryptionKey(env),
    pkcs8,
  );
  return `${CIPHERTEXT_VERSION}.${base64UrlEncode(iv)}.${base64UrlEncode(new Uint8Array(sealed))}`;
}

/** Opens a private key with the current key-encryption key, or with the previous one during a KEK rotation. */
async function decryptPrivateKey(env: Env, row: SigningKeyRow): Promise<CryptoKey> {
  const [version, iv, sealed] = row.privateKeyCiphertext.split(".");
  if (version !== CIPHERTEXT_VERSION || !iv || !sealed) throw new Error(`signing key ${row.kid} has an unknown ciphertext format`);
  const params = { name: "AES-GCM", iv: base64Decode(iv), additionalData: associatedData(row.zoneId, row.kid) };
  const secrets: KekSecret[] = env.CARACAL_KEY_ENCRYPTION_KEY_PREVIOUS
    ? ["CARACAL_KEY_ENCRYPTION_KEY", "CARACAL_KEY_ENCRYPTION_KEY_PREVIOUS"]
    : ["CARACAL_KEY_ENCRYPTION_KEY"];
  for (const secret of secrets) {
    const kek = await keyEncryptionKey(env, secret);
    // AES-GCM authenticates: the wrong key (or a moved ciphertext) fails here rather than yielding garbage.
    const pkcs8 = await crypto.subtle.decrypt(params, kek, base64Decode(sealed)).catch(() => undefined);
    if (pkcs8) return crypto.subtle.importKey("pkcs8", pkcs8, EC_PARAMS, false, ["sign"]);
  }
  throw new SigningUnavailableError(`signing key ${row.kid} does not open with ${secrets.join(" or ")}`);
}

/** A new key generation for the zone (not yet stored). */
async function generateKey(env: Env, zoneId: string, seq: number): Promise<SigningKeyRow> {
  const pair = (await crypto.subtle.generateKey(EC_PARAMS, true, ["sign", "verify"])) as CryptoKeyPair;
  const kid = base64UrlEncode(randomBytes(12));
  const { kty, crv, x, y } = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
  const pkcs8 = (await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer;
  return {
    kid,
    zoneId,
    seq,
    alg: SIGNING_ALG,
    publicJwk: { kty, crv, x, y, kid, alg: SIGNING_ALG, use: "sig" },
    privateKeyCiphertext: await encryptPrivateKey(env, zoneId, kid, pkcs8),
    createdAt: nowIso(),
  };
}

function latestKey(env: Env, zoneId: string) {
  return database(env).select().from(zoneSigningKeys).where(eq(zoneSigningKeys.zoneId, zoneId)).orderBy(desc(zoneSigningKeys.seq)).limit(1);
}

/**
 * The zone's current kid, making the first key if there is none. Two isolates
 * racing here both try seq 1; the unique (zone, seq) keeps one, and both use it.
 */
export async function ensureSigningKey(env: Env, zoneId: string): Promise<string> {
  const existing = (await latestKey(env, zoneId))[0];
  if (existing) return existing.kid;
  await database(env)
    .insert(zoneSigningKeys)
    .values(await generateKey(env, zoneId, 1))
    .onConflictDoNothing();
  const made = (await latestKey(env, zoneId))[0];
  if (!made) throw new Error(`no signing key for zone ${zoneId} after creating one`);
  return made.kid;
}

/** Adds the next key generation; returns it and the key it retires (undefined for a zone's first key). */
export async function rotateSigningKey(
  env: Env,
  zoneId: string,
): Promise<{ current: SigningKeyRow; previous: SigningKeyRow | undefined } | { conflict: true }> {
  const previous = (await latestKey(env, zoneId))[0];
  const next = await generateKey(env, zoneId, (previous?.seq ?? 0) + 1);
  const inserted = await database(env).insert(zoneSigningKeys).values(next).onConflictDoNothing().returning({ kid: zoneSigningKeys.kid });
  if (inserted.length === 0) return { conflict: true };
  return { current: next, previous };
}

/** Private keys by kid: decrypted once per isolate (keys never change). */
const privateKeys = new Map<string, CryptoKey>();
const MAX_CACHED_PRIVATE_KEYS = 256;

export async function signingKey(env: Env, zoneId: string, kid: string): Promise<CryptoKey> {
  const cached = privateKeys.get(kid);
  if (cached) return cached;
  const rows = await database(env)
    .select()
    .from(zoneSigningKeys)
    .where(and(eq(zoneSigningKeys.kid, kid), eq(zoneSigningKeys.zoneId, zoneId)));
  const row = rows[0];
  if (!row) throw new Error(`signing key ${kid} of zone ${zoneId} not found`);
  const key = await decryptPrivateKey(env, row);
  if (privateKeys.size >= MAX_CACHED_PRIVATE_KEYS) privateKeys.delete(privateKeys.keys().next().value as string);
  privateKeys.set(kid, key);
  return key;
}

export interface KeyStatus {
  row: SigningKeyRow;
  /** when its successor was made (null for the current key) */
  retiredAt: string | null;
  /** until when it stays in the JWKS (null for the current key) */
  publishedUntil: string | null;
}

/** The zone's keys, oldest first: batched with other reads on the token path. */
export function zoneKeyRows(db: Db, zoneId: string) {
  return db.select().from(zoneSigningKeys).where(eq(zoneSigningKeys.zoneId, zoneId)).orderBy(asc(zoneSigningKeys.seq));
}

/** Each key with its retirement: when its successor was made, and until when it stays published. */
export function keyStatuses(rows: SigningKeyRow[], maxTokenLifetime: number): KeyStatus[] {
  const retentionMs = (maxTokenLifetime + RETIRED_KEY_GRACE_SECONDS) * 1000;
  return rows.map((row, i) => {
    const retiredAt = rows[i + 1]?.createdAt ?? null;
    const publishedUntil = retiredAt === null ? null : new Date(Date.parse(retiredAt) + retentionMs).toISOString();
    return { row, retiredAt, publishedUntil };
  });
}

/** Every key of the zone with its status; undefined when the zone does not exist. */
export async function zoneKeys(env: Env, zoneId: string): Promise<KeyStatus[] | undefined> {
  const db = database(env);
  const [zoneRows, rows] = await db.batch([
    db.select({ maxTokenLifetime: zones.maxTokenLifetime }).from(zones).where(eq(zones.id, zoneId)),
    zoneKeyRows(db, zoneId),
  ]);
  const zone = zoneRows[0];
  return zone ? keyStatuses(rows, zone.maxTokenLifetime) : undefined;
}

/** The public keys a verifier needs: the current key and retired keys still within their retention. */
export function publishedKeys(keys: KeyStatus[], now = new Date()): PublicJwk[] {
  const nowIsoText = now.toISOString();
  return keys.filter((k) => k.publishedUntil === null || k.publishedUntil > nowIsoText).map((k) => k.row.publicJwk);
}
