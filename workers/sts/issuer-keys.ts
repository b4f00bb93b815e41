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

export const VERIFY_ALGORITHMS = ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA", "Ed25519"];
const ASYMMETRIC_KEY_TYPES = ["EC", "RSA", "OKP"];
/** Private JWK members: a JWKS that carries them leaks its issuer's private key. */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
const MAX_CACHED_KEY_SETS = 256;

/** Why a JWKS cannot be trusted for verification (empty when it can). */
export function publicJwksProblems(jwks: unknown): string[] {
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) return ["a JWKS is an object with a non-empty keys array"];
  const problems: string[] = [];
  const kids = new Set<string>();
  keys.forEach((key: Record<string, unknown>, i) => {
    const at = `keys[${i}]`;
    if (typeof key !== "object" || key === null) return void problems.push(`${at} is not an object`);
    if (!ASYMMETRIC_KEY_TYPES.includes(key.kty as string)) problems.push(`${at}: kty must be one of ${ASYMMETRIC_KEY_TYPES.join(", ")}`);
    if (PRIVATE_MEMBERS.some((m) => m in key)) problems.push(`${at} holds private or symmetric key material`);
    if (typeof key.kid !== "string" || key.kid === "") problems.push(`${at}: kid is required`);
    else if (kids.has(key.kid)) problems.push(`${at}: kid ${key.kid} is not unique`);
    else kids.add(key.kid);
    if (key.alg !== undefined && !VERIFY_ALGORITHMS.includes(key.alg as string))
      problems.push(`${at}: alg must be one of ${VERIFY_ALGORITHMS.join(", ")}`);
    if (key.use !== undefined && key.use !== "sig") problems.push(`${at}: use must be "sig"`);
  });
  return problems;
}

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
