/**
 * The public keys subject and actor tokens are verified with: a trusted
 * issuer's inline JWKS, its jwks_uri (fetched and cached per isolate, see
 * remote-jwks.ts: a refresh with unusable keys keeps the last good set),
 * or the zone's own published keys. Only asymmetric algorithms are accepted:
 * issuers publish public keys, so an HS* token could only be a forgery made
 * with a public key as the HMAC secret.
 */
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import type { trustedIssuers } from "../../schema/index.js";
import type { PublicJwk } from "./keys.js";
import { RemoteKeySet } from "./remote-jwks.js";

export type TrustedIssuerRow = typeof trustedIssuers.$inferSelect;

const MAX_CACHED_KEY_SETS = 256;

/**
 * jwks_uri must be https; plain http only for loopback hosts (local development).
 * The URL is fetched by the Worker, so it is only ever configured by an admin.
 */
export function jwksUriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return "jwks_uri is not a URL";
  }
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) return "jwks_uri must use https (http only for localhost)";
  return undefined;
}

const keySets = new Map<string, JWTVerifyGetKey>();

function cached(key: string, make: () => JWTVerifyGetKey): JWTVerifyGetKey {
  let set = keySets.get(key);
  if (!set) {
    set = make();
    if (keySets.size >= MAX_CACHED_KEY_SETS) keySets.delete(keySets.keys().next().value as string);
    keySets.set(key, set);
  }
  return set;
}

/** A trusted issuer's keys. Issuer rows are never edited, so the row id keys the cache. */
export function trustedIssuerKeys(row: TrustedIssuerRow): JWTVerifyGetKey {
  return cached(`issuer:${row.id}`, () =>
    row.jwksUri
      ? new RemoteKeySet(row.jwksUri, `trusted issuer ${row.issuer} (${row.id})`).getKey
      : createLocalJWKSet(row.jwks as JSONWebKeySet),
  );
}

/** A private_key_jwt client's keys. Client keys are never edited, so the id and key source key the cache. */
export function clientKeys(client: {
  id: string;
  jwks: { keys: Record<string, unknown>[] } | null;
  jwksUri: string | null;
}): JWTVerifyGetKey {
  return cached(`client:${client.id}:${client.jwksUri ?? ""}`, () =>
    client.jwksUri ? new RemoteKeySet(client.jwksUri, `client ${client.id}`).getKey : createLocalJWKSet(client.jwks as JSONWebKeySet),
  );
}

/** The zone's own published keys; the kids identify the set (keys never change). */
export function ownKeys(keys: PublicJwk[]): JWTVerifyGetKey {
  return cached(`own:${keys.map((k) => k.kid).join(",")}`, () => createLocalJWKSet({ keys: keys as JSONWebKeySet["keys"] }));
}
