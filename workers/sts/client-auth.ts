/**
 * Client authentication at the token endpoint, one method per request
 * (RFC 6749 §2.3):
 * - client_secret_basic / client_secret_post: secrets are 256-bit random
 *   values stored only as SHA-256 and compared in constant time;
 * - private_key_jwt (RFC 7523 §2.2, OpenID Connect Core §9): a JWT signed with
 *   one of the client's registered keys, `iss` = `sub` = the client id, `aud`
 *   naming this token endpoint or the zone's issuer, `exp` at most
 *   MAX_ASSERTION_LIFETIME_SECONDS ahead, and a `jti` used once: accepted
 *   jtis are kept in D1 until the assertion expires (see recordAssertionJti).
 * An unknown client, a client of another zone, a disabled client, a wrong
 * secret, a bad signature and a client registered for the other method all
 * get the same 401; what is wrong with an assertion's own claims (checked
 * before the client is looked up, so it tells nothing about the client) is
 * named.
 */
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from "jose";
import { lt } from "drizzle-orm";
import { clientAssertionJtis, type clients } from "../../schema/index.js";
import { base64UrlEncode, randomBytes, secretMatchesDigest, sha256Hex } from "../crypto.js";
import { database } from "../db.js";
import type { Env } from "../env.js";
import { clientKeys } from "./issuer-keys.js";
import { invalidClient, invalidRequest, OAuthError } from "./oauth-error.js";
import type { TokenForm } from "./token-request.js";

export type ClientRow = typeof clients.$inferSelect;

export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** Asymmetric only: client_secret_jwt (HS*) would need a shared secret at rest, which this method avoids. */
export const ASSERTION_ALGORITHMS = ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA", "Ed25519"];
export const TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"];
/** Assertions are for one request: a longer exp would also keep its jti row longer. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;
const CLOCK_LEEWAY_SECONDS = 60;
const MAX_JTI_LENGTH = 256;

export type ClientCredentials =
  | { method: "client_secret"; clientId: string; secret: string }
  | { method: "private_key_jwt"; clientId: string; assertion: string; claims: JWTPayload };

/** Where the assertion's `aud` may point: the token endpoint, or the zone's issuer identifier. */
export interface AssertionAudience {
  tokenEndpoint: string;
  issuer: string;
}

/** Compared against when the client does not exist, so that case costs the same as a wrong secret. */
const NO_CLIENT_DIGEST = "0".repeat(64);
const CLIENT_SECRET_PREFIX = "cs_";

/** A new client secret and the digest to store. The secret is shown once and never stored. */
export async function newClientSecret(): Promise<{ secret: string; sha256: string }> {
  const secret = CLIENT_SECRET_PREFIX + base64UrlEncode(randomBytes(32));
  return { secret, sha256: await sha256Hex(secret) };
}

/** The credentials the request presents; throws invalid_client when there are none. */
export function presentedCredentials(
  authorization: string | undefined,
  form: TokenForm,
  audience: AssertionAudience,
  now: Date,
): ClientCredentials {
  const posted = form.single.client_secret;
  const assertion = form.single.client_assertion;
  const basic = authorization !== undefined && /^basic\s/i.test(authorization);
  const methods = [basic, posted !== undefined, assertion !== undefined || form.single.client_assertion_type !== undefined];
  if (methods.filter(Boolean).length > 1)
    throw invalidRequest("use one client authentication method: HTTP Basic, client_secret in the body, or a client_assertion");
  if (basic) {
    const credentials = decodeBasic(authorization);
    if (form.single.client_id !== undefined && form.single.client_id !== credentials.clientId) {
      throw invalidRequest("client_id in the body differs from the HTTP Basic user");
    }
    return credentials;
  }
  if (methods[2]) return inspectAssertion(form, audience, now);
  const clientId = form.single.client_id;
  if (clientId === undefined || posted === undefined)
    throw invalidClient("client authentication is required (client_secret_basic, client_secret_post or private_key_jwt)");
  return { method: "client_secret", clientId, secret: posted };
}

/** RFC 6749 §2.3.1: user and password are form-urlencoded before base64. */
function decodeBasic(authorization: string): ClientCredentials {
  let decoded: string;
  try {
    decoded = atob(authorization.replace(/^basic\s+/i, "").trim());
  } catch {
    throw invalidClient("malformed HTTP Basic credentials");
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) throw invalidClient("malformed HTTP Basic credentials");
  try {
    const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
    return { method: "client_secret", clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw invalidClient("malformed HTTP Basic credentials");
  }
}

/**
 * The assertion's own claims, before its client is looked up (RFC 7523 §3).
 * The signature is checked later against the client's keys, with these
 * claims checked again by jose.
 */
function inspectAssertion(form: TokenForm, audience: AssertionAudience, now: Date): ClientCredentials {
  const { client_assertion: assertion, client_assertion_type: type, client_id: clientIdParam } = form.single;
  if (type !== CLIENT_ASSERTION_TYPE) throw invalidRequest(`client_assertion_type must be ${CLIENT_ASSERTION_TYPE}`);
  if (assertion === undefined) throw invalidRequest("client_assertion_type is given without client_assertion");
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(assertion);
    claims = decodeJwt(assertion);
  } catch {
    throw invalidClient("client_assertion is not a signed JWT");
  }
  const fail = (why: string) => invalidClient(`client_assertion: ${why}`);
  if (typeof header.alg !== "string" || !ASSERTION_ALGORITHMS.includes(header.alg))
    throw fail(`alg must be one of ${ASSERTION_ALGORITHMS.join(", ")}`);
  if (typeof claims.sub !== "string" || claims.sub === "" || claims.iss !== claims.sub)
    throw fail("iss and sub must both be the client id");
  if (clientIdParam !== undefined && clientIdParam !== claims.sub) throw fail("client_id differs from the assertion's sub");
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.some((a) => a === audience.tokenEndpoint || a === audience.issuer))
    throw fail(`aud must name this token endpoint (${audience.tokenEndpoint}) or the zone's issuer`);
  const nowSeconds = now.getTime() / 1000;
  if (typeof claims.exp !== "number") throw fail("exp is required");
  if (claims.exp <= nowSeconds - CLOCK_LEEWAY_SECONDS) throw fail("it has expired");
  if (claims.exp > nowSeconds + MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_LEEWAY_SECONDS)
    throw fail(`exp may be at most ${MAX_ASSERTION_LIFETIME_SECONDS} seconds ahead`);
  if (typeof claims.jti !== "string" || claims.jti === "" || claims.jti.length > MAX_JTI_LENGTH)
    throw fail(`jti is required (a unique string of at most ${MAX_JTI_LENGTH} characters)`);
  return { method: "private_key_jwt", clientId: claims.sub, assertion, claims };
}

/** The client the credentials belong to, looked up in the request's zone only. */
export async function authenticateClient(
  env: Env,
  row: ClientRow | undefined,
  credentials: ClientCredentials,
  audience: AssertionAudience,
  now: Date,
): Promise<ClientRow> {
  if (credentials.method === "client_secret") {
    const matches = await secretMatchesDigest(credentials.secret, row?.secretSha256 || NO_CLIENT_DIGEST);
    if (!row || !matches || row.disabledAt !== null || row.authMethod !== "client_secret") throw invalidClient();
    return row;
  }
  if (!row || row.disabledAt !== null || row.authMethod !== "private_key_jwt") throw invalidClient();
  try {
    await jwtVerify(credentials.assertion, clientKeys(row), {
      algorithms: ASSERTION_ALGORITHMS,
      issuer: row.id,
      subject: row.id,
      audience: [audience.tokenEndpoint, audience.issuer],
      requiredClaims: ["exp", "jti"],
      clockTolerance: CLOCK_LEEWAY_SECONDS,
      currentDate: now,
    });
  } catch (err) {
    if (err instanceof errors.JWKSInvalid || err instanceof errors.JWKSTimeout)
      throw new OAuthError("temporarily_unavailable", "the client's keys could not be loaded from its jwks_uri; retry later", 5);
    throw invalidClient();
  }
  await recordAssertionJti(env, row.id, credentials.claims);
  return row;
}

/**
 * Refuses a second use of an assertion: the (client, jti) primary key in D1
 * holds across isolates and colos (D1 has a single writer), unlike an isolate
 * cache; a Durable Object per client would do as well at the cost of another
 * binding. The row lives until the assertion's exp; the scheduled handler
 * deletes expired rows.
 */
async function recordAssertionJti(env: Env, clientId: string, claims: JWTPayload): Promise<void> {
  const expiresAt = new Date(((claims.exp as number) + CLOCK_LEEWAY_SECONDS) * 1000).toISOString();
  const inserted = await database(env)
    .insert(clientAssertionJtis)
    .values({ clientId, jti: claims.jti as string, expiresAt })
    .onConflictDoNothing()
    .returning({ jti: clientAssertionJtis.jti });
  if (inserted.length === 0) throw invalidClient("client_assertion: this jti was already used (replay)");
}

/** The scheduled handler's cleanup: jtis of expired assertions can no longer be replayed. */
export async function purgeExpiredAssertionJtis(env: Env, now = new Date()): Promise<void> {
  await database(env).delete(clientAssertionJtis).where(lt(clientAssertionJtis.expiresAt, now.toISOString()));
}
