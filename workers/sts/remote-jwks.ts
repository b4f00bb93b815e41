/**
 * Key sets fetched from a jwks_uri (trusted issuers, private_key_jwt
 * clients), cached per isolate: refreshed after 10 minutes, or on an unknown
 * kid at most every 30 s. A refresh is accepted only if every key imports
 * (jwk-import.ts); a refresh that fails or yields unusable keys keeps the
 * last good set and logs why, so a bad publish at the issuer cannot lock its
 * users out. Only settled values are cached (no promise shared between
 * requests, which can hang in workerd): two requests refreshing at once both
 * fetch.
 */
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import { usableJwksProblems } from "./jwk-import.js";

export const JWKS_FETCH_TIMEOUT_MS = 5000;
export const JWKS_MAX_AGE_MS = 10 * 60_000;
export const JWKS_REFETCH_COOLDOWN_MS = 30_000;
const MAX_JWKS_BYTES = 64 * 1024;

/** Fetches a JWKS document; throws with a readable reason. */
export async function fetchJwks(uri: string): Promise<unknown> {
  const res = await fetch(uri, {
    headers: { accept: "application/json, application/jwk-set+json" },
    redirect: "manual",
    signal: AbortSignal.timeout(JWKS_FETCH_TIMEOUT_MS),
  });
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`HTTP ${res.status}`);
  }
  const text = await res.text();
  if (text.length > MAX_JWKS_BYTES) throw new Error(`the JWKS is larger than ${MAX_JWKS_BYTES} bytes`);
  return JSON.parse(text);
}

interface GoodSet {
  getKey: JWTVerifyGetKey;
  kids: Set<string>;
  fetchedAt: number;
}

export class RemoteKeySet {
  private good: GoodSet | undefined;
  private lastAttempt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly uri: string,
    /** who the keys belong to, for logs */
    private readonly owner: string,
  ) {}

  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const now = Date.now();
    const good = this.good;
    const stale = good === undefined || now - good.fetchedAt >= JWKS_MAX_AGE_MS;
    const unknownKid = good !== undefined && header.kid !== undefined && !good.kids.has(header.kid);
    const mayFetch = now - this.lastAttempt >= (good === undefined ? 1000 : JWKS_REFETCH_COOLDOWN_MS);
    if ((stale || unknownKid) && mayFetch) await this.refresh(now);
    if (!this.good) throw new errors.JWKSInvalid(`the keys of ${this.owner} could not be loaded from its jwks_uri`);
    return this.good.getKey(header, token);
  };

  private async refresh(now: number): Promise<void> {
    this.lastAttempt = now;
    let jwks: unknown;
    try {
      jwks = await fetchJwks(this.uri);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      console.error(`${this.owner}: fetching ${this.uri} failed (${reason})${this.good ? "; keeping the last good key set" : ""}`);
      return;
    }
    const problems = await usableJwksProblems(jwks);
    if (problems.length > 0) {
      console.error(
        `${this.owner}: ${this.uri} serves unusable keys (${problems.join("; ")})${this.good ? "; keeping the last good key set" : ""}`,
      );
      return;
    }
    const set = jwks as JSONWebKeySet;
    this.good = { getKey: createLocalJWKSet(set), kids: new Set(set.keys.map((k) => k.kid as string)), fetchedAt: Date.now() };
  }
}
